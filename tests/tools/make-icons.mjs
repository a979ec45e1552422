// Draws the extension's icons (a green rounded square with a white "U") with the
// system Chromium's canvas and writes icons/icon-<size>.png. Run once: `node tools/make-icons.mjs`.
import { chromium } from 'playwright-core';
import { writeFile } from 'node:fs/promises';

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
for (const size of [16, 32, 48, 128]) {
  const dataUrl = await page.evaluate((s) => {
    const c = Object.assign(document.createElement('canvas'), { width: s, height: s });
    const g = c.getContext('2d');
    g.fillStyle = '#14a800';
    g.beginPath();
    g.roundRect(0, 0, s, s, s * 0.2);
    g.fill();
    g.fillStyle = '#fff';
    g.font = `bold ${Math.round(s * 0.72)}px sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText('U', s / 2, s * 0.54);
    return c.toDataURL('image/png');
  }, size);
  const file = new URL(`../../icons/icon-${size}.png`, import.meta.url);
  await writeFile(file, Buffer.from(dataUrl.split(',')[1], 'base64'));
}
await browser.close();
