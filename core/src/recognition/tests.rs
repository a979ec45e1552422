use super::*;
use crate::action::Action::*;

const PROPOSAL: &str = "https://www.upwork.com/nx/proposals/job/~021998744339961847531/apply/";
const SLIDER: &str = "https://www.upwork.com/nx/find-work/most-recent/details/~021999055296412911573?pageTitle=Job%20Details";

fn text(s: &str) -> NameParts {
    NameParts { text: Some(s.into()), ..NameParts::default() }
}

fn button(name: NameParts, containers: &[&str]) -> Candidate {
    Candidate {
        tag: "button".into(),
        name,
        containers: containers.iter().map(|s| (*s).to_owned()).collect(),
        url: PROPOSAL.into(),
        ..Candidate::default()
    }
}

fn rec(c: &Candidate) -> Result<Recognized, Unrecognized> {
    Rules::shipped().recognize(c)
}

fn counted(action: Action, regenerate: bool) -> Result<Recognized, Unrecognized> {
    Ok(Recognized { action, regenerate })
}

#[test]
fn every_name_of_every_widget() {
    let cases = [
        ("Cover Letter", CoverLetter),
        ("Generate Cover Letter", CoverLetter),
        ("  write   COVER letter ", CoverLetter),
        ("Job Assistant", JobAssistant),
        ("Run Job Assistant", JobAssistant),
        ("Answer", Answer),
        ("Answer with AI", Answer),
        ("Generate Answer ✨", Answer),
    ];
    for (name, action) in cases {
        assert_eq!(rec(&button(text(name), &["upwex-widget"])), counted(action, false), "{name}");
    }
}

#[test]
fn name_sources_in_browser_order() {
    let labelled = NameParts { labelledby: Some("Generate Cover Letter".into()), aria_label: Some("Close".into()), ..text("✨") };
    assert_eq!(rec(&button(labelled, &["upwex-root"])), counted(CoverLetter, false));
    let icon_only = NameParts { title: Some("Job Assistant".into()), text: Some(" 🤖 ".into()), ..NameParts::default() };
    assert_eq!(rec(&button(icon_only, &["upwex-root"])), counted(JobAssistant, false));
    let label_wins = NameParts { aria_label: Some("Answer with AI".into()), text: Some("Go".into()), ..NameParts::default() };
    assert_eq!(rec(&button(label_wins, &["upwex-root"])), counted(Answer, false));
    // An empty labelledby falls through to the next source.
    let empty = NameParts { labelledby: Some("  ".into()), aria_label: Some("Cover Letter".into()), ..NameParts::default() };
    assert_eq!(rec(&button(empty, &["upwex-root"])), counted(CoverLetter, false));
}

#[test]
fn role_button_counts_other_elements_do_not() {
    let mut span = button(text("Generate Answer"), &["data-upwex-widget=answer"]);
    span.tag = "span".into();
    assert_eq!(rec(&span), Err(Unrecognized::NotAControl));
    span.role = Some("button".into());
    assert_eq!(rec(&span), counted(Answer, false));
}

#[test]
fn decoys_are_never_labelled() {
    // Upwork's own label and button, a heading, a question that contains "answer".
    assert_eq!(rec(&button(text("Cover Letter"), &[])), Err(Unrecognized::OutsideUpwex));
    assert_eq!(rec(&button(text("Send for 10 Connects"), &["upwex-widget"])), Err(Unrecognized::UnknownName));
    let mut heading = button(text("Cover letter"), &["upwex-cover-letter"]);
    heading.tag = "h2".into();
    assert_eq!(rec(&heading), Err(Unrecognized::NotAControl));
    assert_eq!(rec(&button(text("Please answer: what is your rate?"), &["upwex-answer"])), Err(Unrecognized::UnknownName));
    assert_eq!(rec(&button(text("Answer the question"), &["upwex-answer"])), Err(Unrecognized::UnknownName));
    // A container that is not Upwex's, however named.
    assert_eq!(rec(&button(text("Answer"), &["air3-card cover-letter-area"])), Err(Unrecognized::OutsideUpwex));
}

#[test]
fn disabled_and_busy_controls_are_not_counted() {
    let mut b = button(text("Generate Cover Letter"), &["upwex-cover-letter"]);
    b.disabled = true;
    assert_eq!(rec(&b), Err(Unrecognized::Inactive));
    b.disabled = false;
    b.busy = true;
    assert_eq!(rec(&b), Err(Unrecognized::Inactive));
}

#[test]
fn regenerate_takes_its_widget_marker() {
    for (marker, action) in [
        ("upwex-widget upwex-cover-letter", CoverLetter),
        ("data-upwex-widget=answer", Answer),
        ("id=upwex-job-assistant", JobAssistant),
        ("UPWEX-COVER_LETTER", CoverLetter),
    ] {
        for name in ["Regenerate", "Re-generate", "Regenerate Cover Letter", "Regenerate Answer", "↻ regenerate"] {
            assert_eq!(rec(&button(text(name), &[marker, "upwex-root"])), counted(action, true), "{name} in {marker}");
        }
    }
}

#[test]
fn regenerate_in_a_generic_container_takes_its_nearest_neighbour() {
    let mut b = button(NameParts { aria_label: Some("Regenerate".into()), ..NameParts::default() }, &["upwex-root"]);
    b.neighbours = vec![text("Copy"), text("Run Job Assistant"), text("Generate Cover Letter")];
    b.url = SLIDER.into();
    assert_eq!(rec(&b), counted(JobAssistant, true));
}

#[test]
fn regenerate_in_the_answer_block_of_question_two_regenerates_that_answer() {
    // The proposal page's generic root holds the cover letter widget; question 2's block is
    // marked as an answer widget: its own marker wins over anything further out.
    let mut b = button(text("Regenerate"), &["upwex-answer q2", "upwex-root"]);
    b.neighbours = vec![text("Answer with AI")];
    assert_eq!(rec(&b), counted(Answer, true));
    let mut b = button(text("Regenerate"), &["upwex-block", "upwex-root"]);
    b.neighbours = vec![text("Generate Answer")];
    assert_eq!(rec(&b), counted(Answer, true), "neighbour in the innermost container");
}

#[test]
fn regenerate_in_a_toolbar_inside_a_named_widget_takes_the_widget() {
    let b = button(text("Regenerate"), &["upwex-toolbar", "upwex-widget upwex-cover-letter"]);
    assert_eq!(rec(&b), counted(CoverLetter, true));
}

#[test]
fn regenerate_with_neither_marker_nor_neighbour_is_not_counted() {
    let mut b = button(text("Regenerate"), &["upwex-root"]);
    assert_eq!(rec(&b), Err(Unrecognized::RegenerateWithoutWidget));
    b.neighbours = vec![text("Copy"), text("Regenerate")];
    assert_eq!(rec(&b), Err(Unrecognized::RegenerateWithoutWidget));
}

#[test]
fn pages_outside_the_rules_are_ignored() {
    let mut b = button(text("Cover Letter"), &["upwex-root"]);
    b.url = "https://evil.example/nx/proposals/".into();
    assert_eq!(rec(&b), Err(Unrecognized::OtherPage));
    let mut rules = Rules::shipped();
    rules.controls[0].url_prefixes = vec!["https://www.upwork.com/nx/proposals/".into()];
    b.url = SLIDER.into();
    assert_eq!(rules.recognize(&b), Err(Unrecognized::OtherPage));
    b.url = PROPOSAL.into();
    assert_eq!(rules.recognize(&b), counted(CoverLetter, false));
}

#[test]
fn a_rules_update_is_data() {
    let mut rules = Rules::shipped();
    rules.controls[0].names.push("Draft my proposal".into());
    rules.container_marker = "ai-helper".into();
    assert!(rules.validate().is_ok());
    let b = button(text("Draft my proposal!"), &["ai-helper-panel"]);
    assert_eq!(rules.recognize(&b), counted(CoverLetter, false));
    assert_eq!(Rules::shipped().recognize(&b), Err(Unrecognized::OutsideUpwex));
}

#[test]
fn shipped_rules_are_valid_and_bad_rules_are_refused() {
    Rules::shipped().validate().unwrap();
    let mut r = Rules::shipped();
    r.controls[1].names.push("answer".into());
    assert_eq!(r.validate().unwrap_err().code, "invalid_rules");
    let mut r = Rules::shipped();
    r.controls[0].names.push("Regenerate".into());
    assert!(r.validate().is_err());
    let mut r = Rules::shipped();
    r.container_marker = " ".into();
    assert!(r.validate().is_err());
    let mut r = Rules::shipped();
    r.controls.push(r.controls[0].clone());
    assert!(r.validate().is_err());
    let mut r = Rules::shipped();
    r.controls[2].names.push("✨".into());
    assert!(r.validate().is_err());
}

#[test]
fn rules_have_a_stable_json_shape() {
    let json = serde_json::to_value(Rules::shipped()).unwrap();
    assert_eq!(json["container_marker"], "upwex");
    assert_eq!(json["controls"][0]["action"], "cover_letter");
    assert_eq!(json["controls"][2]["names"][1], "Answer with AI");
    let back: Rules = serde_json::from_value(json).unwrap();
    assert_eq!(back, Rules::shipped());
}

#[test]
fn normalising_names() {
    assert_eq!(normalize("  Generate\n Cover   Letter ✨ "), "generate cover letter");
    assert_eq!(normalize("Re-generate"), "regenerate");
    assert_eq!(normalize("🔄"), "");
    assert_eq!(normalize("Answer with A.I."), "answer with ai");
    assert_eq!(normalize("GENERATE Cover LETTER"), "generate cover letter");
    // Letters beyond ASCII are kept, and compared exactly (see `normalize`).
    assert_eq!(normalize("Générer la lettre"), "générer la lettre");
    assert_eq!(normalize("ÉCRIRE"), "Écrire");
}
