//! End-to-end: the real Worker under `wrangler dev` (workerd, local D1), the
//! demo site, a signature-checking receiver and headless Chromium, started
//! once for all cases and stopped on every exit path. Run by `cargo xtask
//! test`, which builds the widget and installs the tools first.

mod api;
mod collector;
mod console;
mod destinations;
mod faults;
mod floods;
mod funnel;
mod hostile;
mod logs;
mod modes;
mod privacy;
mod promise;
mod review;
mod site_owner;
mod sites;
mod stats;
mod support;
mod turnstile;
mod widget;

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use support::Stack;

type Case = fn(&Stack);

/// `(name, function)` from one path, so the two cannot disagree.
macro_rules! cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        &[$((concat!(stringify!($module), "::", stringify!($case)), $module::$case as Case)),*]
    };
}

const CASES: &[(&str, Case)] = cases![
    widget::callback_reaches_the_crm_signed_and_attributed,
    widget::missing_phone_shows_the_field_error_and_stores_nothing,
    widget::commands_queued_before_load_run_after,
    widget::three_visits_keep_the_first_and_the_last_touch,
    widget::broken_local_storage_costs_the_history_not_the_lead,
    widget::a_page_view_fetches_the_sites_loader_only_and_a_hover_then_click_opens,
    modes::off_hours_callback_offers_slots_and_sends_the_chosen_one,
    modes::contact_form_with_custom_fields_reaches_the_crm,
    modes::chat_intake_ends_in_a_lead_with_its_transcript,
    modes::messenger_click_is_a_lead_with_a_ref_code,
    modes::page_buttons_open_a_mode_with_the_product,
    modes::inline_form_in_the_page_reaches_the_crm_with_its_product,
    modes::spa_route_change_rearms_the_scroll_trigger,
    modes::offline_submit_is_delivered_after_reconnect_and_after_reload,
    modes::a_widget_opened_once_opens_offline_on_the_next_page_and_keeps_the_lead,
    modes::strict_csp_and_hostile_css_do_not_break_it,
    modes::accessible_in_both_languages,
    modes::accessible_while_open_in_both_languages,
    modes::phone_sized_screens_get_a_full_screen_sheet,
    site_owner::theme_from_config_colours_places_and_labels_the_launcher,
    site_owner::words_overridden_per_language_show_and_the_rest_stay_built_in,
    site_owner::an_accepted_lead_reaches_the_pages_analytics_and_handlers,
    site_owner::a_tel_link_click_is_a_signed_attributed_phone_click_lead,
    api::hostile_input_gets_a_json_error_naming_the_field,
    api::a_sites_own_loader_carries_its_config_and_checks_the_origin,
    api::the_same_lead_posted_three_times_is_stored_and_forwarded_once,
    api::cors_allows_only_the_sites_origins,
    floods::a_burst_from_one_address_is_held_to_the_limit_while_another_gets_in,
    floods::a_limited_lead_waits_in_the_outbox_and_arrives_after_the_wait,
    hostile::the_hostile_corpus_is_refused_by_name_or_neutralised,
    collector::form_and_chat_leads_reach_the_crm_with_their_answers,
    collector::bad_fields_slots_and_missing_consent_are_refused_by_name,
    collector::spam_gets_the_same_202_is_kept_and_never_delivered,
    collector::config_promises_a_callback_in_the_visitors_zone_and_language,
    collector::a_messenger_click_is_delivered_with_its_ref_code,
    privacy::a_reused_id_with_other_content_is_refused_and_an_exact_repeat_is_not,
    privacy::erasure_by_id_phone_and_email_leaves_no_row_of_those_leads,
    privacy::retention_sweeps_old_leads_of_a_short_retention_site_and_keeps_the_rest,
    turnstile::a_verified_token_is_delivered_and_a_retry_checks_it_idempotently,
    turnstile::failed_and_misdirected_tokens_are_refused_by_name,
    turnstile::an_outage_holds_the_lead_until_an_operator_releases_it,
    turnstile::the_widget_renders_the_challenge_and_its_token_is_verified,
    destinations::one_lead_reaches_every_kind_as_each_product_documents,
    destinations::a_phone_click_skips_a_destination_that_does_not_take_its_kind,
    destinations::an_unknown_outcome_at_bitrix24_leaves_exactly_one_lead_there,
    destinations::hostile_content_arrives_escaped_everywhere,
    faults::admin_api_lists_pages_and_explains,
    faults::receiver_errors_for_a_minute_then_recovers,
    faults::receiver_hangs_past_the_timeout,
    faults::receiver_down_for_two_minutes_then_back,
    faults::receiver_throttles_with_retry_after,
    faults::receiver_gone_disables_the_destination_until_replayed,
    faults::collector_killed_mid_delivery_loses_nothing,
    review::a_russian_widget_on_an_english_page_speaks_russian_throughout,
    review::a_phone_typed_before_consent_is_not_stored_and_a_stored_one_expires,
    sites::a_change_reaches_the_page_and_the_next_lead_while_one_in_flight_keeps_its_destination,
    sites::stale_writes_conflict_rollbacks_restore_and_invalid_writes_change_nothing,
    sites::site_secrets_never_appear_in_an_answer_the_log_or_the_database,
    sites::cargo_xtask_sites_push_and_pull_go_through_the_api,
    sites::the_config_is_revalidated_by_its_etag,
    funnel::a_visit_that_ends_in_a_lead_is_counted_once_at_every_step,
    funnel::a_page_view_without_interaction_is_counted_shown_by_the_loader,
    funnel::a_beacon_is_checked_by_field_site_and_origin_and_counted,
    console::signs_in_lists_filters_and_shows_a_hostile_name_as_text,
    console::replay_on_a_leads_page_sends_the_same_webhook_id_again,
    console::the_report_counts_the_posted_leads,
    console::every_view_is_accessible_and_a_refused_setting_is_named_at_its_field,
    promise::an_off_hours_callback_is_promised_the_next_opening,
    promise::a_test_lead_reaches_the_destination_and_a_refusal_is_the_answer,
    stats::the_report_and_the_csv_equal_the_posted_leads,
    // Last: it reads the log of everything before it.
    logs::no_secret_phone_or_email_reaches_the_log_or_an_error_answer,
];

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // One browser, one collector, one receiver: cases take turns.
    args.test_threads = Some(1);
    leadwire_tests::process::stop_all_on_ctrl_c();
    let wanted = CASES
        .iter()
        .any(|(name, _)| !args.is_filtered_out(&Trial::test(*name, || Ok(()))));
    let stack = if wanted && !args.list {
        match Stack::start() {
            Ok(stack) => Some(Arc::new(stack)),
            Err(e) => {
                eprintln!("error: could not start the end-to-end stack: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let trials = CASES
        .iter()
        .map(|(name, case)| {
            let (stack, case) = (stack.clone(), *case);
            Trial::test(*name, move || match &stack {
                Some(stack) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    // Each case's time, to see where the test command's minutes go.
                    let started = std::time::Instant::now();
                    case(stack);
                    eprintln!("{name}: {:.1} s", started.elapsed().as_secs_f64());
                }))
                .map_err(|p| {
                    let why = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                    Failed::from(why.unwrap_or_else(|| "panicked".into()))
                }),
                None => Err(Failed::from("the stack did not start")),
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        if let Some(stack) = &stack {
            eprintln!("wrangler dev's log ends:\n{}", stack.collector().log_tail(40));
        }
    }
    drop(stack); // stops chromedriver, wrangler dev and the servers
    conclusion.exit_code()
}
