// Options page: placeholder settings form kept in extension storage.
const form = document.getElementById('settings');
const { backendUrl = '', apiToken = '' } = await chrome.storage.local.get(['backendUrl', 'apiToken']);
form.backendUrl.value = backendUrl;
form.apiToken.value = apiToken;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  await chrome.storage.local.set({ backendUrl: form.backendUrl.value, apiToken: form.apiToken.value });
  document.getElementById('status').textContent = 'Saved';
});
