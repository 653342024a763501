//! Every attribution rule, as data. Each row names the convention it follows
//! (GA4's default channel group, Yandex Metrica, sourcebuster.js, the ad
//! platforms' own documentation), so a reader can check it against the source.
//!
//! Order matters in every table: the first matching row wins. Hosts and
//! mediums match case-insensitively (the platforms do); parameter names match
//! exactly (GA4 and Metrica ignore `UTM_SOURCE`), and values are never
//! lowercased.

use super::Channel;

/// What kind of site a known source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Search,
    Social,
    Messenger,
    Webmail,
    /// A sign-in or payment page on a search engine's domain: it sends the
    /// visitor back to the site, so it is a referral, not a search.
    Account,
}

impl Category {
    /// The medium a referrer of this kind gets, after the channel it leads to.
    pub fn referrer_medium(self) -> &'static str {
        match self {
            Category::Search => "organic",
            Category::Social => "social",
            Category::Messenger => "messenger",
            Category::Webmail => "email",
            Category::Account => "referral",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Category::Search => "a search engine",
            Category::Social => "a social network",
            Category::Messenger => "a messenger",
            Category::Webmail => "webmail",
            Category::Account => "a sign-in or payment page",
        }
    }
}

/// Which classification field a utm parameter fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UtmField {
    Source,
    Medium,
    Campaign,
    Term,
    Content,
    /// The campaign id: kept with the click ids, as ad platforms join on it.
    Id,
}

pub struct Utm {
    pub param: &'static str,
    pub field: UtmField,
    pub follows: &'static str,
}

/// The utm parameters. Any of them present makes the touch a tagged one.
#[rustfmt::skip]
pub const UTM: &[Utm] = &[
    Utm { param: "utm_source", field: UtmField::Source, follows: UTM_PARAMS },
    Utm { param: "utm_medium", field: UtmField::Medium, follows: UTM_PARAMS },
    Utm { param: "utm_campaign", field: UtmField::Campaign, follows: UTM_PARAMS },
    Utm { param: "utm_term", field: UtmField::Term, follows: UTM_PARAMS },
    Utm { param: "utm_content", field: UtmField::Content, follows: UTM_PARAMS },
    Utm { param: "utm_id", field: UtmField::Id, follows: "GA4: utm_id, the campaign id cost imports join on" },
];

const UTM_PARAMS: &str = "GA4 / Yandex Metrica / sourcebuster.js";

/// A click id an ad platform appends to the landing URL.
pub struct ClickId {
    pub param: &'static str,
    /// The source and medium it implies when the utm tags do not say.
    pub source: Option<&'static str>,
    pub medium: Option<&'static str>,
    /// The value is an Openstat marker to decode (service;campaign;ad;source).
    pub openstat: bool,
    pub follows: &'static str,
}

const fn click(param: &'static str, source: &'static str, medium: &'static str, follows: &'static str) -> ClickId {
    ClickId {
        param,
        source: Some(source),
        medium: Some(medium),
        openstat: false,
        follows,
    }
}

/// Click ids, in order of precedence when several are present: paid ones
/// first, then the ones platforms add to organic links too.
#[rustfmt::skip]
pub const CLICK_IDS: &[ClickId] = &[
    click("gclid", "google", "cpc", "Google Ads auto-tagging (sourcebuster.js: gclid → google / cpc)"),
    click("gbraid", "google", "cpc", "Google Ads, iOS app-to-web measurement"),
    click("wbraid", "google", "cpc", "Google Ads, iOS web-to-app measurement"),
    click("msclkid", "bing", "cpc", "Microsoft Advertising auto-tagging"),
    click("yclid", "yandex", "cpc", "Yandex Direct (Yandex Metrica; sourcebuster.js: yclid → yandex / cpc)"),
    click("ymclid", "yandex_market", "cpc", "Yandex Market (Yandex Metrica: Ad systems)"),
    click("yzclid", "yandex_promopages", "cpc", "Yandex PromoPages (Yandex Metrica: Ad systems)"),
    click("ttclid", "tiktok", "cpc", "TikTok Ads click id"),
    click("li_fat_id", "linkedin", "cpc", "LinkedIn Ads first-party click id"),
    click("twclid", "twitter", "cpc", "X (Twitter) Ads click id"),
    click("epik", "pinterest", "cpc", "Pinterest Ads click id"),
    click("sccid", "snapchat", "cpc", "Snap Ads click id"),
    ClickId { param: "_openstat", source: None, medium: Some("cpc"), openstat: true,
        follows: "Openstat marker service;campaign;ad;source (wiki.openstat.ru; Yandex Metrica: Ad systems)" },
    ClickId { param: "fbclid", source: Some("facebook"), medium: None, openstat: false,
        follows: "Meta adds fbclid to every outbound link, ads and posts alike: it names the source only" },
    click("ysclid", "yandex", "organic", "Yandex Search adds ysclid to its organic results (Yandex Metrica)"),
    ClickId { param: "yqrid", source: None, medium: None, openstat: false,
        follows: "Yandex QR codes (Yandex Metrica): kept, but it names no source" },
];

/// A known referrer host (or Android app, from an `android-app://` referrer).
pub struct Host {
    /// `vk.com` matches vk.com and its subdomains; `google.*` matches google
    /// under any country suffix (google.de, google.co.uk) and its subdomains;
    /// `android-app://package` matches an app's referrer.
    pub pattern: &'static str,
    /// The source it is reported as; `None` reports the host itself.
    pub source: Option<&'static str>,
    pub category: Category,
    /// Query parameters that carry the search terms, for search engines.
    pub query: &'static [&'static str],
    pub follows: &'static str,
}

const WEBMAIL: &str = "webmail referrer (Yandex Metrica: Mailing lists; GA4 would say referral)";
const MESSENGER: &str = "Yandex Metrica: Messengers";
const GA4_SOCIAL: &str = "GA4 social sources";
const METRICA_SOCIAL: &str = "Yandex Metrica: Social networks";
const ORGANIC: &str = "sourcebuster.js organic list; GA4 search sources";
const APP: &str = "Android app referrer";
const ACCOUNT: &str =
    "a sign-in or payment page coming back: GA4 reports it as a referral (its referral exclusion problem)";

const fn host(pattern: &'static str, source: &'static str, category: Category, follows: &'static str) -> Host {
    Host {
        pattern,
        source: Some(source),
        category,
        query: &[],
        follows,
    }
}

const fn mail(pattern: &'static str) -> Host {
    Host {
        pattern,
        source: None,
        category: Category::Webmail,
        query: &[],
        follows: WEBMAIL,
    }
}

const fn account(pattern: &'static str) -> Host {
    Host {
        pattern,
        source: None,
        category: Category::Account,
        query: &[],
        follows: ACCOUNT,
    }
}

const fn search(
    pattern: &'static str,
    source: &'static str,
    query: &'static [&'static str],
    follows: &'static str,
) -> Host {
    Host {
        pattern,
        source: Some(source),
        category: Category::Search,
        query,
        follows,
    }
}

use Category::{Messenger, Social};

/// Known referrers. Specific hosts come before the engines whose domain they
/// share (mail.yandex.ru, zen.yandex.ru before yandex.*). A utm_source word
/// finds the first row whose source it is.
#[rustfmt::skip]
pub const HOSTS: &[Host] = &[
    mail("mail.google.com"),
    Host { pattern: "android-app://com.google.android.gm", source: Some("mail.google.com"), category: Category::Webmail, query: &[], follows: APP },
    mail("mail.yandex.*"),
    mail("e.mail.ru"),
    mail("mail.rambler.ru"),
    mail("outlook.live.com"),
    mail("outlook.office.com"),
    mail("outlook.office365.com"),
    mail("mail.yahoo.com"),
    mail("mail.aol.com"),
    mail("mail.proton.me"),

    host("t.me", "telegram", Messenger, MESSENGER),
    host("telegram.org", "telegram", Messenger, MESSENGER),
    host("telegram.me", "telegram", Messenger, MESSENGER),
    host("android-app://org.telegram.messenger", "telegram", Messenger, APP),
    host("whatsapp.com", "whatsapp", Messenger, MESSENGER),
    host("wa.me", "whatsapp", Messenger, MESSENGER),
    host("android-app://com.whatsapp", "whatsapp", Messenger, APP),
    host("viber.com", "viber", Messenger, MESSENGER),
    host("android-app://com.viber.voip", "viber", Messenger, APP),
    host("messenger.com", "messenger", Messenger, MESSENGER),

    host("vk.com", "vk", Social, METRICA_SOCIAL),
    host("vk.ru", "vk", Social, METRICA_SOCIAL),
    host("android-app://com.vkontakte.android", "vk", Social, APP),
    host("ok.ru", "ok", Social, METRICA_SOCIAL),
    host("my.mail.ru", "my.mail.ru", Social, METRICA_SOCIAL),
    host("facebook.com", "facebook", Social, GA4_SOCIAL),
    host("fb.com", "facebook", Social, GA4_SOCIAL),
    host("fb.me", "facebook", Social, GA4_SOCIAL),
    host("android-app://com.facebook.katana", "facebook", Social, APP),
    host("instagram.com", "instagram", Social, GA4_SOCIAL),
    host("android-app://com.instagram.android", "instagram", Social, APP),
    host("t.co", "twitter", Social, "GA4 social sources; sourcebuster.js: t.co → twitter.com"),
    host("twitter.com", "twitter", Social, GA4_SOCIAL),
    host("x.com", "twitter", Social, GA4_SOCIAL),
    host("android-app://com.twitter.android", "twitter", Social, APP),
    host("linkedin.com", "linkedin", Social, GA4_SOCIAL),
    host("lnkd.in", "linkedin", Social, GA4_SOCIAL),
    host("android-app://com.linkedin.android", "linkedin", Social, APP),
    host("youtube.com", "youtube", Social, "GA4 video sources, counted as social here"),
    host("youtu.be", "youtube", Social, "GA4 video sources, counted as social here"),
    host("android-app://com.google.android.youtube", "youtube", Social, APP),
    host("dzen.ru", "dzen", Social, METRICA_SOCIAL),
    host("zen.yandex.ru", "dzen", Social, METRICA_SOCIAL),
    host("tiktok.com", "tiktok", Social, GA4_SOCIAL),
    host("pinterest.*", "pinterest", Social, GA4_SOCIAL),
    host("pin.it", "pinterest", Social, GA4_SOCIAL),
    host("reddit.com", "reddit", Social, GA4_SOCIAL),
    host("threads.net", "threads", Social, GA4_SOCIAL),
    host("threads.com", "threads", Social, GA4_SOCIAL),
    host("tumblr.com", "tumblr", Social, GA4_SOCIAL),
    host("quora.com", "quora", Social, GA4_SOCIAL),
    host("snapchat.com", "snapchat", Social, GA4_SOCIAL),
    host("livejournal.com", "livejournal", Social, METRICA_SOCIAL),
    host("pikabu.ru", "pikabu", Social, METRICA_SOCIAL),
    host("rutube.ru", "rutube", Social, "Yandex Metrica: video sites, counted as social here"),

    account("accounts.google.com"),
    account("pay.google.com"),
    account("passport.yandex.*"),
    account("oauth.yandex.*"),
    account("pay.yandex.*"),

    search("google.*", "google", &["q"], ORGANIC),
    search("android-app://com.google.android.googlequicksearchbox", "google", &[], APP),
    search("yandex.*", "yandex", &["text"], "sourcebuster.js organic list (yandex.<tld> with text=); Yandex Metrica"),
    search("android-app://ru.yandex.searchplugin", "yandex", &[], APP),
    search("ya.ru", "yandex", &["text"], "Yandex Metrica: Search engines (ya.ru is Yandex's search home)"),
    search("bing.com", "bing", &["q"], ORGANIC),
    search("yahoo.*", "yahoo", &["p"], ORGANIC),
    search("duckduckgo.com", "duckduckgo", &["q"], "GA4 search sources"),
    search("go.mail.ru", "go.mail.ru", &["q"], "sourcebuster.js organic list"),
    search("rambler.ru", "rambler", &["query"], "sourcebuster.js organic list"),
    search("ecosia.org", "ecosia", &["q"], "GA4 search sources"),
    search("baidu.com", "baidu", &["wd", "word"], "GA4 search sources"),
    search("ask.com", "ask", &["q"], "sourcebuster.js organic list"),
    search("aol.com", "aol", &["q"], "sourcebuster.js organic list"),
    search("naver.com", "naver", &["query"], "GA4 search sources"),
    search("seznam.cz", "seznam", &["q"], "GA4 search sources"),
    search("startpage.com", "startpage", &["query"], "GA4 search sources"),
    search("qwant.com", "qwant", &["q"], "GA4 search sources"),
    search("search.brave.com", "brave", &["q"], "GA4 search sources"),
    search("sogou.com", "sogou", &["query"], "GA4 search sources"),
];

/// Short names advertisers put in utm_source, for the sources a host row does
/// not already name. A utm_source matches a row when one of its words
/// (split at anything but letters and digits) is the name.
pub struct Alias {
    pub name: &'static str,
    pub category: Category,
    pub follows: &'static str,
}

#[rustfmt::skip]
pub const ALIASES: &[Alias] = &[
    Alias { name: "fb", category: Social, follows: GA4_SOCIAL },
    Alias { name: "ig", category: Social, follows: GA4_SOCIAL },
    Alias { name: "meta", category: Social, follows: "Meta's ads, tagged by the company name" },
    Alias { name: "x", category: Social, follows: "X (Twitter), tagged by its new name" },
    Alias { name: "yt", category: Social, follows: "YouTube's usual abbreviation" },
    Alias { name: "vkontakte", category: Social, follows: METRICA_SOCIAL },
    Alias { name: "odnoklassniki", category: Social, follows: METRICA_SOCIAL },
    Alias { name: "tg", category: Messenger, follows: "Telegram's usual abbreviation (Yandex Metrica: Messengers)" },
    Alias { name: "wa", category: Messenger, follows: "WhatsApp's usual abbreviation (Yandex Metrica: Messengers)" },
    Alias { name: "gmail", category: Category::Webmail, follows: WEBMAIL },
    Alias { name: "adwords", category: Category::Search, follows: "HubSpot: a source naming adwords is Paid Search" },
];

/// A condition on the (source, medium) pair. An absent medium reads as "".
pub enum When {
    SourceAndMedium(&'static [&'static str], &'static [&'static str]),
    CategoryAndMedium(&'static [Category], &'static [&'static str]),
    Medium(&'static [&'static str]),
    CategoryOrMedium(&'static [Category], &'static [&'static str]),
    Category(&'static [Category]),
    SourceOrMedium(&'static [&'static str]),
    Always,
}

pub struct ChannelRule {
    pub when: When,
    pub channel: Channel,
    pub follows: &'static str,
}

/// GA4's `^(cpc|ppc|paid)$` and Yandex Metrica's paid mediums.
const PAID: &[&str] = &[
    "cpc",
    "ppc",
    "paid",
    "paidsearch",
    "cpv",
    "cpa",
    "cpp",
    "display",
    "cpm",
    "banner",
];
const SOCIAL_MEDIUMS: &[&str] = &[
    "social",
    "social-network",
    "social-media",
    "sm",
    "social network",
    "social media",
];
const EMAIL: &[&str] = &["email", "e-mail", "e_mail", "e mail", "newsletter"];

/// From (source, medium) to a channel, in GA4's order with Yandex Metrica's
/// paid mediums and messenger group folded in.
#[rustfmt::skip]
pub const CHANNELS: &[ChannelRule] = &[
    ChannelRule { when: When::SourceAndMedium(&["(direct)"], &["(none)", "(not set)", ""]), channel: Channel::Direct,
        follows: "GA4: Direct" },
    ChannelRule { when: When::CategoryAndMedium(&[Social, Messenger], PAID), channel: Channel::PaidSocial,
        follows: "GA4: Paid Social, with Yandex Metrica's paid mediums; ads in messengers count as social" },
    ChannelRule { when: When::Medium(&["paid_social", "paidsocial", "paid-social", "social_paid", "social-paid"]),
        channel: Channel::PaidSocial, follows: "GA4's paid.* mediums naming social (GA4 says Paid Other, a channel we lack)" },
    ChannelRule { when: When::Medium(&["display", "banner", "cpm", "expandable", "interstitial"]), channel: Channel::Display,
        follows: "GA4: Display; Yandex Metrica paid mediums display, cpm, banner" },
    ChannelRule { when: When::Medium(&["cpc", "ppc", "paidsearch", "paid"]), channel: Channel::PaidSearch,
        follows: "GA4: Paid Search (cpc|ppc|paidsearch, and paid); Yandex Metrica paid mediums" },
    ChannelRule { when: When::Medium(&["cpa"]), channel: Channel::Affiliate,
        follows: "Yandex Metrica paid medium cpa: paying per action is how affiliate networks work" },
    ChannelRule { when: When::Medium(&["cpv", "cpp"]), channel: Channel::Display,
        follows: "Yandex Metrica paid mediums cpv, cpp: bought views and placements" },
    ChannelRule { when: When::Medium(&["messenger"]), channel: Channel::Messenger,
        follows: "Yandex Metrica: Messengers (utm_medium=messenger)" },
    ChannelRule { when: When::CategoryAndMedium(&[Messenger], &["social"]), channel: Channel::Messenger,
        follows: "Yandex Metrica: Messengers (utm_medium=social from a messenger)" },
    ChannelRule { when: When::CategoryOrMedium(&[Social], SOCIAL_MEDIUMS), channel: Channel::OrganicSocial,
        follows: "GA4: Organic Social" },
    ChannelRule { when: When::CategoryOrMedium(&[Category::Search], &["organic"]), channel: Channel::OrganicSearch,
        follows: "GA4: Organic Search" },
    ChannelRule { when: When::Category(&[Messenger]), channel: Channel::Messenger,
        follows: "Yandex Metrica: Messengers" },
    ChannelRule { when: When::Medium(&["referral", "app", "link"]), channel: Channel::Referral,
        follows: "GA4: Referral" },
    ChannelRule { when: When::SourceOrMedium(EMAIL), channel: Channel::Email,
        follows: "GA4: Email, plus newsletter" },
    ChannelRule { when: When::Category(&[Category::Webmail]), channel: Channel::Email,
        follows: "Yandex Metrica: Mailing lists (webmail)" },
    ChannelRule { when: When::Medium(&["affiliate", "affiliates"]), channel: Channel::Affiliate,
        follows: "GA4: Affiliates" },
    ChannelRule { when: When::Always, channel: Channel::Unassigned,
        follows: "GA4: Unassigned" },
];

/// The steps that are not a row of the tables above.
pub struct Fallback {
    pub id: &'static str,
    pub does: &'static str,
    pub follows: &'static str,
}

#[rustfmt::skip]
pub const FALLBACKS: &[Fallback] = &[
    Fallback { id: "no_referrer", does: "no tags and no referrer → (direct) / (none)",
        follows: "GA4: Direct; sourcebuster.js typein" },
    Fallback { id: "unusable_referrer", does: "a referrer that is not a web or app address (javascript:, data:, garbage) counts as none",
        follows: "browsers only send http(s) and android-app referrers" },
    Fallback { id: "own_host", does: "a referrer on the site's own host or a subdomain → internal, not a source",
        follows: "Yandex Metrica: Internal transitions; sourcebuster.js counts external referrers only" },
    Fallback { id: "other_host", does: "any other referrer → its host / referral",
        follows: "GA4: Referral; sourcebuster.js: source = referrer host" },
    Fallback { id: "term_from_referrer", does: "tags without utm_term: the search referrer's query is the term",
        follows: "sourcebuster.js (Yandex text=), for every search engine here" },
    Fallback { id: "openstat_base64", does: "_openstat decoded from base64",
        follows: "wiki.openstat.ru: the marker may be base64-encoded" },
    Fallback { id: "openstat_plain", does: "_openstat read as plain service;campaign;ad;source",
        follows: "wiki.openstat.ru" },
];

/// One row of one table, as reported by [`super::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId {
    pub table: &'static str,
    pub index: usize,
}

pub(crate) fn fallback(id: &str) -> (RowId, &'static Fallback) {
    let index = FALLBACKS.iter().position(|f| f.id == id).unwrap_or(0);
    (
        RowId {
            table: "FALLBACKS",
            index,
        },
        &FALLBACKS[index],
    )
}

/// Every row of every table, for the test that each one is exercised.
#[cfg(test)]
pub(crate) fn every_row() -> Vec<RowId> {
    let tables = [
        ("UTM", UTM.len()),
        ("CLICK_IDS", CLICK_IDS.len()),
        ("HOSTS", HOSTS.len()),
        ("ALIASES", ALIASES.len()),
        ("CHANNELS", CHANNELS.len()),
        ("FALLBACKS", FALLBACKS.len()),
    ];
    tables
        .into_iter()
        .flat_map(|(table, len)| (0..len).map(move |index| RowId { table, index }))
        .collect()
}
