//! Runs the core's `Effect::Notify`: a browser notification in the words of `_locales`
//! (its id is the alert's code, so one of a kind replaces the last). A click on it opens
//! the credits page (`background.js`'s listener).

use credits_core::alerts::AlertKind;

use crate::chrome;
use crate::js::object;
use crate::popup::text::{Msg, msg};

fn words(kind: AlertKind) -> Msg {
    match kind {
        AlertKind::Low => msg("notifyLow"),
        AlertKind::MonthlyExhausted => msg("notifyMonthlyExhausted"),
        AlertKind::Depleted => msg("notifyDepleted"),
        AlertKind::MemberBudgetExhausted => msg("notifyBudgetUsedUp"),
    }
}

pub fn show(kind: AlertKind) {
    let options = object(&[
        ("type", "basic".into()),
        ("iconUrl", chrome::runtime_get_url("icons/icon-128.png").into()),
        ("title", chrome::i18n_get_message("extName").into()),
        ("message", chrome::i18n_get_message(words(kind).key).into()),
    ]);
    let _ = chrome::notifications_create(kind.code(), &options);
}
