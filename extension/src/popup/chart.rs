//! The daily-use chart: one bar per day of the cycle so far, drawn as SVG by the page from this geometry. Whole
//! numbers in a fixed viewBox (the CSS stretches it to the popup's width), so no float
//! formatting reaches the WASM.

use credits_core::api::DailyCredits;

use serde::Serialize;

use super::text::{Msg, Sub, credits, msg, msg_with, number};

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

/// The chart (`<svg role="img">`, drawn by the page): named by a summary sentence, each bar
/// with a `<title>`; `width` is the viewBox's. Its axes are drawn beside it as text (an SVG
/// stretched to the page's width would stretch its letters): `top` is the tallest bar's
/// figure, `days` the dated ticks under the bars.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chart {
    pub label: Msg,
    pub width: u64,
    pub height: u64,
    pub bars: Vec<ChartBar>,
    pub top: Msg,
    pub days: Vec<Tick>,
}

/// A dated tick: `at` is the middle of its day's bar, in percent of the chart's width.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tick {
    pub at: u64,
    pub label: Msg,
    /// Near the right edge: the label ends at its tick instead of centring on it, so it
    /// stays inside the chart.
    pub end: bool,
}

/// Ticks right of this (percent) end their label at the tick.
const END_AT: u64 = 80;

/// Days between dated ticks (a week), from the cycle's first day.
pub const TICK_DAYS: usize = 7;

/// Which days get a tick: the first, every [`TICK_DAYS`]th, and the last unless it would
/// crowd the tick before it.
pub fn tick_days(days: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..days).step_by(TICK_DAYS).collect();
    if let Some(&prev) = out.last()
        && days > prev + 3
    {
        out.push(days - 1);
    }
    out
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChartBar {
    pub x: u64,
    pub y: u64,
    pub height: u64,
    pub bar_width: u64,
    pub zero: bool,
    pub title: Msg,
    /// The table alternative's two cells.
    pub day: Msg,
    pub credits: Msg,
}

pub fn chart(daily: &[DailyCredits]) -> Chart {
    let values: Vec<u64> = daily.iter().map(|d| d.credits).collect();
    let total: u64 = values.iter().sum();
    let label = match daily.iter().max_by_key(|d| d.credits).filter(|d| d.credits > 0) {
        Some(top) => {
            let (total, day, most) = (Sub::Msg(credits(total)), Sub::Day(top.date.clone()), Sub::Msg(credits(top.credits)));
            if daily.len() == 1 {
                msg_with("chartLabelOneDay", vec![total, day])
            } else {
                msg_with("chartLabel", vec![total, number(daily.len() as u64), day, most])
            }
        }
        None => msg("chartEmpty"),
    };
    let width = (daily.len() as u64).max(MIN_DAYS) * STEP;
    let bars = daily
        .iter()
        .zip(bars(&values))
        .map(|(d, b)| ChartBar {
            x: b.x,
            y: b.y,
            height: b.height,
            bar_width: BAR,
            zero: d.credits == 0,
            title: msg_with("chartBar", vec![Sub::Day(d.date.clone()), Sub::Msg(credits(d.credits))]),
            day: day(&d.date),
            credits: credits(d.credits),
        })
        .collect();
    let days = tick_days(daily.len())
        .into_iter()
        .map(|i| {
            let at = (i as u64 * STEP + STEP / 2) * 100 / width;
            Tick { at, label: day(&daily[i].date), end: at > END_AT }
        })
        .collect();
    let top = credits(values.iter().copied().max().unwrap_or(0));
    Chart { label, width, height: HEIGHT, bars, top, days }
}

fn day(date: &str) -> Msg {
    msg_with("chartDay", vec![Sub::Day(date.to_owned())])
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let t = Catalog::en();
        let daily: Vec<DailyCredits> =
            [("2026-11-20", 2), ("2026-11-21", 0), ("2026-11-22", 12)].iter().map(|(d, c)| DailyCredits { date: (*d).into(), credits: *c }).collect();
        let c = chart(&daily);
        assert_eq!(c.bars.len(), 3);
        assert_eq!((c.width, c.height), (300, 40));
        assert_eq!(t.say(&c.label), "Daily use this cycle: 14 credits over 3 days, most on Nov 22 (12 credits)");
        assert_eq!(t.say(&c.bars[1].title), "Nov 21: 0 credits");
        assert!(c.bars[1].zero && !c.bars[0].zero);
        assert_eq!(t.say(&chart(&daily[1..2]).label), "Daily use this cycle: no credits used yet");
        // One day: "over 1 day", not "1 days".
        assert_eq!(t.say(&chart(&daily[2..3]).label), "Daily use this cycle: 12 credits on Nov 22");
        assert_eq!(t.say(&chart(&daily[0..1]).bars[0].title), "Nov 20: 2 credits");
        assert_eq!((t.say(&c.bars[2].day), t.say(&c.bars[2].credits)), ("Nov 22".into(), "12 credits".into()));
        assert_eq!(t.say(&c.top), "12 credits");
    }

    #[test]
    fn ticks_are_weekly_from_the_first_day_and_the_last() {
        assert_eq!(tick_days(0), Vec::<usize>::new());
        assert_eq!(tick_days(1), [0]);
        assert_eq!(tick_days(3), [0]);
        assert_eq!(tick_days(4), [0, 3]);
        assert_eq!(tick_days(9), [0, 7]);
        assert_eq!(tick_days(10), [0, 7]);
        assert_eq!(tick_days(11), [0, 7, 10]);
        assert_eq!(tick_days(31), [0, 7, 14, 21, 28]);
        let t = Catalog::en();
        let daily: Vec<DailyCredits> = (1..=12).map(|d| DailyCredits { date: format!("2026-11-{d:02}"), credits: d }).collect();
        let c = chart(&daily);
        let ticks: Vec<(u64, String)> = c.days.iter().map(|k| (k.at, t.say(&k.label))).collect();
        // 30 days wide (MIN_DAYS): the middle of day i's bar is at (10 i + 5) / 300.
        assert_eq!(ticks, [(1, "Nov 1".into()), (25, "Nov 8".into()), (38, "Nov 12".into())]);
        assert!(c.days.iter().all(|k| !k.end));
        assert_eq!(t.say(&chart(&daily[..1]).top), "1 credit");
        let month: Vec<DailyCredits> = (1..=30).map(|d| DailyCredits { date: format!("2026-11-{d:02}"), credits: 1 }).collect();
        let ends: Vec<(u64, bool)> = chart(&month).days.iter().map(|k| (k.at, k.end)).collect();
        assert_eq!(ends, [(1, false), (25, false), (48, false), (71, false), (95, true)]);
    }
}
