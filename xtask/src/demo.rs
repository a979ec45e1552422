//! The demo team of `cargo xtask run`: made with the backend's command line (SPEC.md section
//! 3), and given a short usage history through the real HTTP API, as the extension, the Auto
//! Bid service and the Prompts editor would send it, so the popup has something to explain.

use anyhow::{Context, Result};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The owner's and the member's tokens.
pub struct Demo {
    pub owner: String,
    pub member: String,
}

/// Creates the team, its two members and a top-up; `cli` runs one backend command and
/// returns what it printed.
pub fn create(cli: impl Fn(&[&str]) -> Result<String>) -> Result<Demo> {
    let team = cli(&["team", "create", "--name", "Demo Team", "--plan", "pro", "--seats", "3"])?;
    let owner = cli(&["member", "add", "--team", &team, "--name", "Olena (owner)", "--role", "owner"])?;
    let member = cli(&["member", "add", "--team", &team, "--name", "Taras", "--role", "member"])?;
    cli(&["topup", "--team", &team, "--credits", "100"])?;
    println!("seeded team {team}: Olena (owner), Taras, +100 extra credits");
    Ok(Demo { owner, member })
}

/// Posts the demo history to the backend at `url`: Olena's cover letters (one rerolled
/// three times: 4 credits for one job), answers and Job Assistant runs; Taras's Auto Bid
/// night (Job Matching on every job, Auto Bid on some) and a Prompts-editor session.
pub fn history(url: &str, demo: &Demo) -> Result<()> {
    let now = Utc::now();
    let at = |minutes: i64| (now - Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let event = |action: &str, regenerate: bool, job: Option<&str>, minutes: i64| json!({"id": uuid::Uuid::new_v4().to_string(), "action": action, "regenerate": regenerate, "job_id": job, "occurred_at": at(minutes)});
    let mut olena = vec![event("job_assistant", false, Some("~021998744339961847531"), 50)];
    olena.extend((0..4).map(|n| event("cover_letter", n > 0, Some("~021998744339961847531"), 48 - n)));
    olena.extend((0..3).map(|n| event("answer", false, Some("~021998744339961847531"), 40 - n)));
    olena.extend((0..4).map(|n| event("job_assistant", false, Some(&format!("~02199906003780198{n:04}")), 30 - n)));
    let jobs: Vec<String> = (0..12).map(|n| format!("~0133110211e88e{n:04x}")).collect();
    let mut taras: Vec<Value> = jobs.iter().enumerate().map(|(n, job)| event("job_matching", false, Some(job), 200 - n as i64)).collect();
    taras.extend(jobs.iter().take(4).enumerate().map(|(n, job)| event("auto_bid", false, Some(job), 180 - n as i64)));
    taras.extend([event("ai_improve", false, None, 20), event("ai_generate", false, None, 15), event("test_template", false, None, 10)]);
    for (token, events) in [(&demo.owner, olena), (&demo.member, taras)] {
        let body = json!({ "events": events }).to_string();
        ureq::post(format!("{url}/v1/usage"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .send(body)
            .with_context(|| format!("POST {url}/v1/usage"))?;
    }
    println!("seeded a usage history: cover letters (one rerolled 3 times), answers, Job Assistant, an Auto Bid night, the Prompts editor");
    Ok(())
}
