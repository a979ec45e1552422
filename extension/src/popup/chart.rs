//! The daily-use chart: one bar per day of the cycle so far, drawn as SVG from Rust. Whole
//! numbers in a fixed viewBox (the CSS stretches it to the popup's width), so no float
//! formatting reaches the WASM.

use credits_core::api::DailyCredits;

use super::node::Tokens;
use super::text::{Text, credits};

/// viewBox units: each day is `STEP` wide, its bar `BAR` wide; the tallest bar is `HEIGHT`.
pub const STEP: u64 = 10;
pub const BAR: u64 = 8;
pub const HEIGHT: u64 = 40;
/// The chart is at least this many days wide, so a young cycle's few bars stay bars.
pub const MIN_DAYS: u64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    pub x: u64,
    pub y: u64,
    pub height: u64,
}

/// The bars for these daily totals: scaled to the largest (rounded up, so a day with any
/// use is at least one unit tall); a day with none is a bar of height 0.
pub fn bars(values: &[u64]) -> Vec<Bar> {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let height = (v * HEIGHT).div_ceil(max).min(HEIGHT);
            Bar { x: i as u64 * STEP + (STEP - BAR) / 2, y: HEIGHT - height, height }
        })
        .collect()
}

/// The chart: `<svg role="img">` named by a summary sentence; each bar has a `<title>`.
pub fn chart(v: &mut Tokens, daily: &[DailyCredits], text: &dyn Text) {
    let values: Vec<u64> = daily.iter().map(|d| d.credits).collect();
    let total: u64 = values.iter().sum();
    let label = match daily.iter().max_by_key(|d| d.credits).filter(|d| d.credits > 0) {
        Some(top) => {
            text.msg("chartLabel", &[&credits(text, total), &text.number(daily.len() as u64), &text.day(&top.date), &credits(text, top.credits)])
        }
        None => text.msg("chartEmpty", &[]),
    };
    let width = (daily.len() as u64).max(MIN_DAYS) * STEP;
    v.open("svg")
        .class("chart")
        .attr("role", "img")
        .attr("aria-label", &label)
        .attr("viewBox", &format!("0 0 {width} {HEIGHT}"))
        .attr("preserveAspectRatio", "none")
        .attr("focusable", "false");
    for (d, b) in daily.iter().zip(bars(&values)) {
        v.open("rect")
            .class(if d.credits == 0 { "bar zero" } else { "bar" })
            .attr("x", &b.x.to_string())
            .attr("y", &b.y.to_string())
            .attr("width", &BAR.to_string())
            .attr("height", &b.height.to_string())
            .open("title")
            .text(&text.msg("chartBar", &[&text.day(&d.date), &credits(text, d.credits)]))
            .close()
            .close();
    }
    v.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::node::find;
    use crate::popup::text::tests::Catalog;

    #[test]
    fn bars_scale_to_the_largest_day() {
        let b = bars(&[0, 5, 10, 1]);
        assert_eq!(b.iter().map(|b| b.height).collect::<Vec<_>>(), [0, 20, 40, 4]);
        assert_eq!(b.iter().map(|b| b.y).collect::<Vec<_>>(), [40, 20, 0, 36]);
        assert_eq!(b.iter().map(|b| b.x).collect::<Vec<_>>(), [1, 11, 21, 31]);
        assert_eq!(bars(&[1, 1000])[0].height, 1, "any use is visible");
        assert_eq!(bars(&[0, 0]).iter().map(|b| b.height).sum::<u64>(), 0);
        assert!(bars(&[]).is_empty());
    }

    #[test]
    fn one_bar_per_day_with_a_summary() {
        let daily: Vec<DailyCredits> =
            [("2026-11-20", 2), ("2026-11-21", 0), ("2026-11-22", 12)].iter().map(|(d, c)| DailyCredits { date: (*d).into(), credits: *c }).collect();
        let mut v = Tokens::default();
        chart(&mut v, &daily, &Catalog::en());
        let nodes = crate::popup::node::nodes(&v);
        assert_eq!(find::by_class(&nodes, "bar").len(), 3);
        assert_eq!(nodes[0].attr("role"), Some("img"));
        assert_eq!(nodes[0].attr("viewBox"), Some("0 0 300 40"));
        assert_eq!(nodes[0].attr("aria-label"), Some("Daily use this cycle: 14 credits over 3 days, most on Nov 22 (12 credits)"));
        assert_eq!(find::texts(&find::by_tag(&nodes, "title"))[1], "Nov 21: 0 credits");
        let mut v = Tokens::default();
        chart(&mut v, &daily[1..2], &Catalog::en());
        assert_eq!(crate::popup::node::nodes(&v)[0].attr("aria-label"), Some("Daily use this cycle: no credits used yet"));
    }
}
