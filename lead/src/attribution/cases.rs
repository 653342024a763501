//! The specification, as a table: landing URL, referrer, an earlier first
//! touch → the classification that decides. A landing of `""` is the shop's
//! home page and one starting with `?` is its query; a referrer of `""` is
//! none. Expected values read `channel source/medium`, then campaign, term,
//! content and `#click_id=value` when present (`-` is absent).

use std::collections::BTreeSet;

use super::rules::every_row;
use super::*;
use crate::limits;

const SHOP: &str = "https://shop.example/";
const NOON: i64 = 1_763_899_200_000; // 2025-11-23T12:00:00Z

#[rustfmt::skip]
const CASES: &[(&str, &str, &str, &str)] = &[
    // utm tags: values kept as given (trimmed), channel by GA4's order.
    ("?utm_source=yandex&utm_medium=cpc&utm_campaign=spring", "", "", "paid_search yandex/cpc campaign=spring"),
    ("?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=buy+sofa&utm_content=ad1", "", "", "paid_search google/cpc campaign=brand term=buy sofa content=ad1"),
    ("?utm_source=+Yandex+&utm_medium=CPC", "", "", "paid_search Yandex/CPC"),
    ("?utm_source=&utm_source=vk&utm_source=ok&utm_medium=cpc", "", "", "paid_social vk/cpc"),
    ("?utm_source=yandex&utm_medium=cpc&utm_term=%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD", "", "", "paid_search yandex/cpc term=диван"),
    ("?utm_source=ya%ZZndex&utm_medium=cpc", "", "", "paid_search ya%ZZndex/cpc"),
    ("?utm_source=%FFvk&utm_medium=cpc", "", "", "paid_social \u{FFFD}vk/cpc"),
    ("?UTM_SOURCE=vk&Utm_Medium=cpc", "", "", "direct (direct)/(none)"),
    ("?utm_source=google&utm_medium=cpc&utm_id=120&utm_id=121", "", "", "paid_search google/cpc #utm_id=120"),
    ("?utm_id=abc", "", "", "unassigned -/- #utm_id=abc"),
    ("?utm_campaign=spring", "", "", "unassigned -/- campaign=spring"),
    ("?utm_content=banner-top", "", "", "unassigned -/- content=banner-top"),
    ("?utm_term=sofa", "", "", "unassigned -/- term=sofa"),
    ("?utm_medium=qr", "", "", "unassigned -/qr"),
    ("?utm_source=partner", "", "", "unassigned partner/-"),
    ("?utm_source=partner&utm_medium=tv", "", "", "unassigned partner/tv"),
    ("?utm_source=(direct)&utm_medium=(none)", "", "", "direct (direct)/(none)"),
    ("?utm_source=(direct)&utm_medium=(not+set)", "", "", "direct (direct)/(not set)"),
    ("?utm_source=(direct)", "", "", "direct (direct)/-"),
    // Paid social: a social source (or messenger) with a paid medium.
    ("?utm_source=vk&utm_medium=cpc", "", "", "paid_social vk/cpc"),
    ("?utm_source=facebook&utm_medium=cpm", "", "", "paid_social facebook/cpm"),
    ("?utm_source=vk&utm_medium=cpv", "", "", "paid_social vk/cpv"),
    ("?utm_source=telegram&utm_medium=cpc", "", "", "paid_social telegram/cpc"),
    ("?utm_source=vk_ads&utm_medium=banner", "", "", "paid_social vk_ads/banner"),
    ("?utm_source=fb&utm_medium=cpc", "", "", "paid_social fb/cpc"),
    ("?utm_source=ig&utm_medium=paid", "", "", "paid_social ig/paid"),
    ("?utm_source=Meta&utm_medium=cpc", "", "", "paid_social Meta/cpc"),
    ("?utm_source=x&utm_medium=ppc", "", "", "paid_social x/ppc"),
    ("?utm_source=odnoklassniki&utm_medium=cpm", "", "", "paid_social odnoklassniki/cpm"),
    ("?utm_source=tiktok&utm_medium=cpc&utm_campaign=launch", "", "", "paid_social tiktok/cpc campaign=launch"),
    ("?utm_source=Instagram&utm_medium=Paid_Social", "", "", "paid_social Instagram/Paid_Social"),
    ("?utm_source=partner&utm_medium=paidsocial", "", "", "paid_social partner/paidsocial"),
    ("?utm_source=partner&utm_medium=social-paid", "", "", "paid_social partner/social-paid"),
    // Display, then paid search by medium, then Yandex Metrica's other paid mediums.
    ("?utm_source=partner&utm_medium=Banner", "", "", "display partner/Banner"),
    ("?utm_source=yandex&utm_medium=display", "", "", "display yandex/display"),
    ("?utm_source=rtb&utm_medium=cpm", "", "", "display rtb/cpm"),
    ("?utm_source=partner&utm_medium=expandable", "", "", "display partner/expandable"),
    ("?utm_source=partner&utm_medium=interstitial", "", "", "display partner/interstitial"),
    ("?utm_source=bing&utm_medium=ppc", "", "", "paid_search bing/ppc"),
    ("?utm_source=newsletter&utm_medium=paidsearch", "", "", "paid_search newsletter/paidsearch"),
    ("?utm_source=partner&utm_medium=paid", "", "", "paid_search partner/paid"),
    ("?utm_source=yandex_direct&utm_medium=cpc", "", "", "paid_search yandex_direct/cpc"),
    ("?utm_source=adwords&utm_medium=cpc", "", "", "paid_search adwords/cpc"),
    ("?utm_source=admitad&utm_medium=cpa", "", "", "affiliate admitad/cpa"),
    ("?utm_source=partner&utm_medium=cpv", "", "", "display partner/cpv"),
    ("?utm_source=partner&utm_medium=cpp", "", "", "display partner/cpp"),
    // Messengers (Yandex Metrica), before organic social.
    ("?utm_source=viber&utm_medium=messenger", "", "", "messenger viber/messenger"),
    ("?utm_source=vk&utm_medium=messenger", "", "", "messenger vk/messenger"),
    ("?utm_source=whatsapp&utm_medium=social", "", "", "messenger whatsapp/social"),
    ("?utm_source=telegram", "", "", "messenger telegram/-"),
    ("?utm_source=tg", "", "", "messenger tg/-"),
    ("?utm_source=wa&utm_medium=post", "", "", "messenger wa/post"),
    // Organic social and search, by source or medium.
    ("?utm_source=vk&utm_medium=social", "", "", "organic_social vk/social"),
    ("?utm_source=partner&utm_medium=social-network", "", "", "organic_social partner/social-network"),
    ("?utm_source=blog&utm_medium=sm", "", "", "organic_social blog/sm"),
    ("?utm_source=blog&utm_medium=social+media", "", "", "organic_social blog/social media"),
    ("?utm_source=yt", "", "", "organic_social yt/-"),
    ("?utm_source=vkontakte&utm_medium=post", "", "", "organic_social vkontakte/post"),
    ("?utm_source=m.facebook.com&utm_medium=referral", "", "", "organic_social m.facebook.com/referral"),
    ("?utm_source=google&utm_medium=organic", "", "", "organic_search google/organic"),
    ("?utm_source=partner&utm_medium=organic", "", "", "organic_search partner/organic"),
    ("?utm_source=yandex", "", "", "organic_search yandex/-"),
    ("?utm_source=google&utm_medium=email", "", "", "organic_search google/email"),
    ("?utm_source=yandex.ru&utm_medium=referral", "", "", "organic_search yandex.ru/referral"),
    // Referral, email, affiliates, in GA4's order.
    ("?utm_source=partner&utm_medium=referral", "", "", "referral partner/referral"),
    ("?utm_source=partner&utm_medium=app", "", "", "referral partner/app"),
    ("?utm_source=partner&utm_medium=link", "", "", "referral partner/link"),
    ("?utm_source=mailchimp&utm_medium=email&utm_campaign=nov", "", "", "email mailchimp/email campaign=nov"),
    ("?utm_source=unisender&utm_medium=e-mail", "", "", "email unisender/e-mail"),
    ("?utm_source=crm&utm_medium=e_mail", "", "", "email crm/e_mail"),
    ("?utm_source=crm&utm_medium=e+mail", "", "", "email crm/e mail"),
    ("?utm_source=digest&utm_medium=newsletter", "", "", "email digest/newsletter"),
    ("?utm_source=email", "", "", "email email/-"),
    ("?utm_source=gmail", "", "", "email gmail/-"),
    ("?utm_source=partner&utm_medium=affiliate", "", "", "affiliate partner/affiliate"),
    ("?utm_source=partner&utm_medium=affiliates", "", "", "affiliate partner/affiliates"),
    // Click ids: the platform when utm does not say; values verbatim.
    ("?gclid=Cj0KCQiA-AbC_1", "", "", "paid_search google/cpc #gclid=Cj0KCQiA-AbC_1"),
    ("?gbraid=0AAAAA-xYz", "", "", "paid_search google/cpc #gbraid=0AAAAA-xYz"),
    ("?wbraid=CkAbC", "", "", "paid_search google/cpc #wbraid=CkAbC"),
    ("?msclkid=3f2a1B", "", "", "paid_search bing/cpc #msclkid=3f2a1B"),
    ("?yclid=1234567890123", "", "", "paid_search yandex/cpc #yclid=1234567890123"),
    ("?ymclid=AbC", "", "", "paid_search yandex_market/cpc #ymclid=AbC"),
    ("?yzclid=XyZ", "", "", "paid_search yandex_promopages/cpc #yzclid=XyZ"),
    ("?ttclid=E.C.P.AbC", "", "", "paid_social tiktok/cpc #ttclid=E.C.P.AbC"),
    ("?li_fat_id=5a-B", "", "", "paid_social linkedin/cpc #li_fat_id=5a-B"),
    ("?twclid=2-AbC", "", "", "paid_social twitter/cpc #twclid=2-AbC"),
    ("?epik=dj0yJnU9", "", "", "paid_social pinterest/cpc #epik=dj0yJnU9"),
    ("?sccid=AbC", "", "", "paid_social snapchat/cpc #sccid=AbC"),
    ("?fbclid=IwAR3xYz", "", "", "organic_social facebook/- #fbclid=IwAR3xYz"),
    ("?fbclid=IwAR3xYz", "https://l.facebook.com/", "", "organic_social facebook/- #fbclid=IwAR3xYz"),
    ("?ysclid=lq1w2e3r4t", "", "", "organic_search yandex/organic #ysclid=lq1w2e3r4t"),
    ("?yqrid=QrAbC", "", "", "direct (direct)/(none) #yqrid=QrAbC"),
    ("?yqrid=QrAbC", "https://vk.com/", "", "organic_social vk/social #yqrid=QrAbC"),
    ("?gclid=", "", "", "direct (direct)/(none)"),
    ("?gclid=First&gclid=Second", "", "", "paid_search google/cpc #gclid=First"),
    ("?fbclid=F&gclid=G", "", "", "paid_search google/cpc #fbclid=F #gclid=G"),
    ("?utm_source=newsletter&utm_medium=email&gclid=AbC", "", "", "email newsletter/email #gclid=AbC"),
    ("?utm_campaign=spring&gclid=AbC", "", "", "paid_search google/cpc campaign=spring #gclid=AbC"),
    ("?fbclid=AbC&utm_medium=cpc", "", "", "paid_social facebook/cpc #fbclid=AbC"),
    // _openstat: service;campaign;ad;source, plain or base64 (+ may arrive as a space).
    ("?_openstat=direct.yandex.ru;12345;67890;shows.skype", "", "", "paid_search direct.yandex.ru/cpc campaign=12345 content=67890 #_openstat=direct.yandex.ru;12345;67890;shows.skype"),
    ("?_openstat=ZGlyZWN0LnlhbmRleC5ydTsxMjM0NTs2Nzg5MDtzaG93cy5za3lwZQ==", "", "", "paid_search direct.yandex.ru/cpc campaign=12345 content=67890 #_openstat=ZGlyZWN0LnlhbmRleC5ydTsxMjM0NTs2Nzg5MDtzaG93cy5za3lwZQ=="),
    ("?_openstat=ZGlyZWN0LnlhbmRleC5ydTtjMTA7YWR+MTA7c3Jj", "", "", "paid_search direct.yandex.ru/cpc campaign=c10 content=ad~10 #_openstat=ZGlyZWN0LnlhbmRleC5ydTtjMTA7YWR MTA7c3Jj"),
    ("?_openstat=YmVndW4ucnU7YzA7YWQ_MDt4", "", "", "paid_search begun.ru/cpc campaign=c0 content=ad?0 #_openstat=YmVndW4ucnU7YzA7YWQ_MDt4"),
    ("?_openstat=begun.ru;;;", "", "", "paid_search begun.ru/cpc #_openstat=begun.ru;;;"),
    ("?_openstat=not-base64!!", "", "", "direct (direct)/(none) #_openstat=not-base64!!"),
    ("?utm_source=vk&_openstat=begun.ru;spring;a1;x", "", "", "paid_social vk/cpc campaign=spring content=a1 #_openstat=begun.ru;spring;a1;x"),
    // A search referrer lends its query to tags without utm_term (sourcebuster.js).
    ("?utm_source=yandex&utm_medium=cpc", "https://yandex.ru/search/?text=sofa", "", "paid_search yandex/cpc term=sofa"),
    ("?utm_source=yandex&utm_medium=cpc&utm_term=bed", "https://yandex.ru/search/?text=sofa", "", "paid_search yandex/cpc term=bed"),
    ("?utm_source=vk&utm_medium=cpc", "https://shop.example/", "", "paid_social vk/cpc"),
    ("?utm_source=partner&utm_medium=referral", "https://www.google.com/", "", "referral partner/referral"),
    // Without tags the referrer decides. Webmail.
    ("", "https://mail.google.com/mail/u/0/", "", "email mail.google.com/email"),
    ("", "android-app://com.google.android.gm/", "", "email mail.google.com/email"),
    ("", "https://mail.yandex.ru/?uid=1", "", "email mail.yandex.ru/email"),
    ("", "https://mail.yandex.com.tr/", "", "email mail.yandex.com.tr/email"),
    ("", "https://e.mail.ru/inbox/", "", "email e.mail.ru/email"),
    ("", "https://mail.rambler.ru/", "", "email mail.rambler.ru/email"),
    ("", "https://outlook.live.com/mail/0/", "", "email outlook.live.com/email"),
    ("", "https://outlook.office.com/", "", "email outlook.office.com/email"),
    ("", "https://outlook.office365.com/", "", "email outlook.office365.com/email"),
    ("", "https://uk.mail.yahoo.com/", "", "email uk.mail.yahoo.com/email"),
    ("", "https://mail.aol.com/", "", "email mail.aol.com/email"),
    ("", "https://mail.proton.me/u/0/inbox", "", "email mail.proton.me/email"),
    // Messengers.
    ("", "https://t.me/", "", "messenger telegram/messenger"),
    ("", "https://web.telegram.org/k/", "", "messenger telegram/messenger"),
    ("", "https://telegram.me/", "", "messenger telegram/messenger"),
    ("", "android-app://org.telegram.messenger/", "", "messenger telegram/messenger"),
    ("", "https://web.whatsapp.com/", "", "messenger whatsapp/messenger"),
    ("", "https://wa.me/", "", "messenger whatsapp/messenger"),
    ("", "android-app://com.whatsapp/", "", "messenger whatsapp/messenger"),
    ("", "https://invite.viber.com/", "", "messenger viber/messenger"),
    ("", "android-app://com.viber.voip/", "", "messenger viber/messenger"),
    ("", "https://l.messenger.com/", "", "messenger messenger/messenger"),
    // Social networks.
    ("", "https://vk.com/wall-1_2", "", "organic_social vk/social"),
    ("", "https://m.vk.ru/", "", "organic_social vk/social"),
    ("", "android-app://com.vkontakte.android/", "", "organic_social vk/social"),
    ("", "https://ok.ru/group/1", "", "organic_social ok/social"),
    ("", "https://my.mail.ru/", "", "organic_social my.mail.ru/social"),
    ("", "https://l.facebook.com/l.php?u=x", "", "organic_social facebook/social"),
    ("", "https://fb.com/", "", "organic_social facebook/social"),
    ("", "https://fb.me/", "", "organic_social facebook/social"),
    ("", "android-app://com.facebook.katana/", "", "organic_social facebook/social"),
    ("", "https://l.instagram.com/", "", "organic_social instagram/social"),
    ("", "android-app://com.instagram.android/", "", "organic_social instagram/social"),
    ("", "https://t.co/AbC", "", "organic_social twitter/social"),
    ("", "https://mobile.twitter.com/", "", "organic_social twitter/social"),
    ("", "https://x.com/", "", "organic_social twitter/social"),
    ("", "android-app://com.twitter.android/", "", "organic_social twitter/social"),
    ("", "https://www.linkedin.com/feed/", "", "organic_social linkedin/social"),
    ("", "https://lnkd.in/", "", "organic_social linkedin/social"),
    ("", "android-app://com.linkedin.android/", "", "organic_social linkedin/social"),
    ("", "https://www.youtube.com/", "", "organic_social youtube/social"),
    ("", "https://youtu.be/", "", "organic_social youtube/social"),
    ("", "android-app://com.google.android.youtube/", "", "organic_social youtube/social"),
    ("", "https://dzen.ru/a/xyz", "", "organic_social dzen/social"),
    ("", "https://zen.yandex.ru/", "", "organic_social dzen/social"),
    ("", "https://www.tiktok.com/", "", "organic_social tiktok/social"),
    ("", "https://ru.pinterest.com/", "", "organic_social pinterest/social"),
    ("", "https://www.pinterest.co.uk/", "", "organic_social pinterest/social"),
    ("", "https://pin.it/", "", "organic_social pinterest/social"),
    ("", "https://out.reddit.com/", "", "organic_social reddit/social"),
    ("", "https://www.threads.net/", "", "organic_social threads/social"),
    ("", "https://www.threads.com/", "", "organic_social threads/social"),
    ("", "https://www.tumblr.com/", "", "organic_social tumblr/social"),
    ("", "https://www.quora.com/", "", "organic_social quora/social"),
    ("", "https://www.snapchat.com/", "", "organic_social snapchat/social"),
    ("", "https://user.livejournal.com/123.html", "", "organic_social livejournal/social"),
    ("", "https://pikabu.ru/story/1", "", "organic_social pikabu/social"),
    ("", "https://rutube.ru/video/1/", "", "organic_social rutube/social"),
    // Sign-in and payment pages on a search engine's domain are referrals, not search.
    ("", "https://accounts.google.com/", "", "referral accounts.google.com/referral"),
    ("", "https://pay.google.com/gp/w/home", "", "referral pay.google.com/referral"),
    ("", "https://passport.yandex.ru/auth", "", "referral passport.yandex.ru/referral"),
    ("", "https://oauth.yandex.com/authorize", "", "referral oauth.yandex.com/referral"),
    ("", "https://pay.yandex.ru/", "", "referral pay.yandex.ru/referral"),
    // Search engines, with the query where the referrer carries it.
    ("", "https://www.google.com/", "", "organic_search google/organic"),
    ("", "https://www.google.co.uk/search?q=sofa+bed", "", "organic_search google/organic term=sofa bed"),
    ("", "https://www.google.com.tr/", "", "organic_search google/organic"),
    ("", "https://WWW.GOOGLE.DE./", "", "organic_search google/organic"),
    ("", "android-app://com.google.android.googlequicksearchbox/", "", "organic_search google/organic"),
    ("", "https://yandex.ru/search/?text=%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD&lr=213", "", "organic_search yandex/organic term=диван"),
    ("", "https://yandex.com.tr/", "", "organic_search yandex/organic"),
    ("", "https://ya.ru/search/?text=sofa", "", "organic_search yandex/organic term=sofa"),
    ("", "android-app://ru.yandex.searchplugin/", "", "organic_search yandex/organic"),
    ("", "https://www.bing.com/search?q=sofa", "", "organic_search bing/organic term=sofa"),
    ("", "https://search.yahoo.com/search?p=sofa", "", "organic_search yahoo/organic term=sofa"),
    ("", "https://yahoo.co.jp/", "", "organic_search yahoo/organic"),
    ("", "https://duckduckgo.com/", "", "organic_search duckduckgo/organic"),
    ("", "https://go.mail.ru/search?q=диван", "", "organic_search go.mail.ru/organic term=диван"),
    ("", "https://nova.rambler.ru/search?query=sofa", "", "organic_search rambler/organic term=sofa"),
    ("", "https://www.ecosia.org/search?q=sofa", "", "organic_search ecosia/organic term=sofa"),
    ("", "https://www.baidu.com/s?wd=sofa", "", "organic_search baidu/organic term=sofa"),
    ("", "https://m.baidu.com/s?word=sofa", "", "organic_search baidu/organic term=sofa"),
    ("", "https://www.ask.com/web?q=sofa", "", "organic_search ask/organic term=sofa"),
    ("", "https://search.aol.com/aol/search?q=sofa", "", "organic_search aol/organic term=sofa"),
    ("", "https://search.naver.com/search.naver?query=sofa", "", "organic_search naver/organic term=sofa"),
    ("", "https://search.seznam.cz/?q=sofa", "", "organic_search seznam/organic term=sofa"),
    ("", "https://www.startpage.com/do/search?query=sofa", "", "organic_search startpage/organic term=sofa"),
    ("", "https://www.qwant.com/?q=sofa", "", "organic_search qwant/organic term=sofa"),
    ("", "https://search.brave.com/search?q=sofa", "", "organic_search brave/organic term=sofa"),
    ("", "https://www.sogou.com/web?query=sofa", "", "organic_search sogou/organic term=sofa"),
    // Any other site is a referral by its host; look-alikes are not the brand.
    ("", "https://blog.example.org/post", "", "referral blog.example.org/referral"),
    ("", "https://www.partner.example/", "", "referral partner.example/referral"),
    ("", "https://Partner.Example:8080/x", "", "referral partner.example/referral"),
    ("", "https://user:secret@partner.example/", "", "referral partner.example/referral"),
    ("", "https://пример.рф/статья", "", "referral пример.рф/referral"),
    ("", "https://xn--e1afmkfd.xn--p1ai/", "", "referral пример.рф/referral"),
    ("", "https://google.evil.com/", "", "referral google.evil.com/referral"),
    ("", "https://notvk.com/", "", "referral notvk.com/referral"),
    ("", "https://vk.com.evil.io/", "", "referral vk.com.evil.io/referral"),
    ("", "android-app://com.example.reader/", "", "referral com.example.reader/referral"),
    ("", "http://203.0.113.7:8080/", "", "referral 203.0.113.7/referral"),
    // The site's own host (or a subdomain) is internal, not a source.
    ("", "https://shop.example/catalog", "", "internal shop.example/-"),
    ("", "https://www.shop.example/", "", "internal shop.example/-"),
    ("", "https://blog.shop.example/", "", "internal blog.shop.example/-"),
    ("", "https://user:pw@SHOP.example:8443/", "", "internal shop.example/-"),
    // No usable referrer: direct, as GA4 writes it.
    ("", "", "", "direct (direct)/(none)"),
    ("", "   ", "", "direct (direct)/(none)"),
    ("", "javascript:alert(1)", "", "direct (direct)/(none)"),
    ("", "data:text/html,<b>hi</b>", "", "direct (direct)/(none)"),
    ("", "about:blank", "", "direct (direct)/(none)"),
    ("", "/relative/path", "", "direct (direct)/(none)"),
    ("", "not a url", "", "direct (direct)/(none)"),
    ("", "ftp://files.example/", "", "direct (direct)/(none)"),
    ("", "https://", "", "direct (direct)/(none)"),
    // Odd landing URLs still give up their query; fragments are not queries (as GA4).
    ("/?utm_source=vk&utm_medium=cpc", "", "", "paid_social vk/cpc"),
    ("javascript:void(0)?utm_source=vk&utm_medium=cpc", "", "", "paid_social vk/cpc"),
    ("https://shop.example/#utm_source=vk", "", "", "direct (direct)/(none)"),
    ("https://shop.example/#/cart?utm_source=vk", "", "", "direct (direct)/(none)"),
    ("https://shop.example/?a=1&&=&utm_source=vk&utm_medium=cpc&b", "", "", "paid_social vk/cpc"),
    // Earlier touches: the last non-direct touch decides, else the first.
    ("", "", "?utm_source=yandex&utm_medium=cpc", "paid_search yandex/cpc"),
    ("", "https://shop.example/", "?utm_source=yandex&utm_medium=cpc", "paid_search yandex/cpc"),
    ("", "https://vk.com/", "?utm_source=yandex&utm_medium=cpc", "organic_social vk/social"),
    ("?gclid=G", "", "?utm_source=vk&utm_medium=cpc", "paid_search google/cpc #gclid=G"),
    ("?yqrid=Q", "", "?utm_source=vk&utm_medium=cpc", "paid_social vk/cpc"),
];

fn url(landing: &str) -> String {
    match landing {
        "" => SHOP.to_owned(),
        query if query.starts_with('?') => format!("{SHOP}{query}"),
        other => other.to_owned(),
    }
}

fn touch(landing: &str, referrer: &str) -> Touch {
    Touch {
        url: url(landing),
        referrer: Some(referrer.to_owned()).filter(|r| !r.is_empty()),
        at: Some(NOON),
    }
}

fn render(c: &Classification) -> String {
    let mut out = format!(
        "{} {}/{}",
        c.channel.as_str(),
        c.source.as_deref().unwrap_or("-"),
        c.medium.as_deref().unwrap_or("-")
    );
    for (label, value) in [("campaign", &c.campaign), ("term", &c.term), ("content", &c.content)] {
        if let Some(value) = value {
            out += &format!(" {label}={value}");
        }
    }
    for (name, value) in &c.click_ids {
        out += &format!(" #{name}={value}");
    }
    out
}

/// Runs one case: the classification that decides, and the rows it used.
fn run(landing: &str, referrer: &str, earlier: &str) -> (String, Vec<RowId>) {
    let this = touch(landing, referrer);
    let mut rows = explain(&this, None).rows;
    if earlier.is_empty() {
        return (render(&classify(&this, None)), rows);
    }
    let first = touch(earlier, "");
    rows.extend(explain(&first, None).rows);
    let touches = Touches {
        first: Some(first),
        last: Some(this),
        visits: Some(2),
    };
    (render(&attribute(&touches, &Page::default()).deciding), rows)
}

#[test]
fn every_case_classifies_as_specified() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(landing, referrer, earlier, want)| {
            let (got, _) = run(landing, referrer, earlier);
            (got != *want)
                .then(|| format!("{landing:?} from {referrer:?} after {earlier:?}\n   want {want}\n    got {got}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
    assert!(CASES.len() >= 150, "the table is the specification: keep it complete");
}

/// The widget's search-click test ([`signal::is_search_engine`]) carries only
/// part of the host table: it must agree with the classifier on every case's
/// referrer and on hosts made from every row's pattern.
#[test]
fn the_widget_tells_a_search_engine_as_the_classifier_does() {
    let mut referrers: Vec<String> = CASES.iter().map(|(_, r, _, _)| r.to_string()).collect();
    for row in rules::HOSTS {
        let pattern = row.pattern;
        referrers.extend(match pattern.strip_suffix(".*") {
            _ if pattern.starts_with("android-app://") => vec![format!("{pattern}/")],
            Some(brand) => vec![
                format!("https://{brand}.com/"),
                format!("https://x.{brand}.co.uk/"),
                format!("https://{brand}.evil.com/"),
            ],
            None => vec![format!("https://{pattern}/"), format!("https://x.{pattern}./")],
        });
    }
    for referrer in &referrers {
        let known = referrer::Referrer::read(Some(referrer)).known();
        let by_classifier = known.is_some_and(|(_, row)| row.category == rules::Category::Search);
        assert_eq!(signal::is_search_engine(referrer), by_classifier, "{referrer}");
    }
}

#[test]
fn every_rule_row_is_exercised_by_a_case() {
    let seen: BTreeSet<RowId> = CASES.iter().flat_map(|(l, r, e, _)| run(l, r, e).1).collect();
    let missed: Vec<String> = every_row()
        .into_iter()
        .filter(|row| !seen.contains(row))
        .map(|row| {
            let what = match row.table {
                "UTM" => rules::UTM[row.index].param,
                "CLICK_IDS" => rules::CLICK_IDS[row.index].param,
                "HOSTS" => rules::HOSTS[row.index].pattern,
                "ALIASES" => rules::ALIASES[row.index].name,
                "CHANNELS" => rules::CHANNELS[row.index].follows,
                _ => rules::FALLBACKS[row.index].id,
            };
            format!("{}[{}] {what}", row.table, row.index)
        })
        .collect();
    assert!(missed.is_empty(), "add a case for each of:\n{}", missed.join("\n"));
}

#[test]
fn explain_names_the_deciding_row() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "?utm_source=yandex&utm_medium=cpc",
            "",
            "utm_medium=cpc → paid_search (GA4: Paid Search (cpc|ppc|paidsearch, and paid); Yandex Metrica paid mediums)",
        ),
        (
            "?gclid=X",
            "",
            "medium cpc (from gclid) → paid_search (GA4: Paid Search (cpc|ppc|paidsearch, and paid); Yandex Metrica paid mediums)",
        ),
        (
            "?utm_source=vk&utm_medium=cpc",
            "",
            "utm_source=vk is a social network and utm_medium=cpc → paid_social (GA4: Paid Social, with Yandex \
             Metrica's paid mediums; ads in messengers count as social)",
        ),
        (
            "",
            "https://www.google.com/",
            "source google (from the referrer) is a search engine → organic_search (GA4: Organic Search)",
        ),
        ("", "", "source (direct), medium (none) → direct (GA4: Direct)"),
        (
            "",
            "https://shop.example/a",
            "referrer shop.example is the site's own → internal (Yandex Metrica: Internal transitions; \
             sourcebuster.js counts external referrers only)",
        ),
        (
            "?utm_source=partner",
            "",
            "utm_source=partner, no medium: no rule matches → unassigned (GA4: Unassigned)",
        ),
    ];
    for (landing, referrer, want) in cases {
        assert_eq!(
            explain(&touch(landing, referrer), None).rule,
            *want,
            "{landing} from {referrer}"
        );
    }
    let trail = explain(&touch("?utm_source=vk&utm_medium=cpc", ""), None).trail;
    assert_eq!(trail[..2], ["utm_source=vk", "utm_medium=cpc"]);
}

#[test]
fn absurd_input_is_attributed_within_limits() {
    let long = |c: &str, n: usize| c.repeat(n);
    let noise = long("%zz&=x", 2_000);
    let cases: Vec<(String, Option<String>)> = vec![
        (
            format!("{SHOP}?{noise}&utm_source=vk&utm_medium=cpc&gclid={}", long("G", 900)),
            None,
        ),
        (
            format!("{SHOP}?utm_campaign={}", long("я", 300)),
            Some(format!("https://google.com/?q={}", long("q", 5_000))),
        ),
        (long("%", 10_000), Some(long("/", 10_000))),
        (
            format!("https://{}.example/", long("a", 300)),
            Some(format!("https://{}.example/", long("b", 300))),
        ),
        ("http://[::1".into(), Some("http://[::1".into())),
        ("\u{0}\u{7}\u{202e}".into(), Some("https://\u{202e}.example/".into())),
        (String::new(), Some(String::new())),
    ];
    for (url, referrer) in cases {
        let got = classify(
            &Touch {
                url: url.clone(),
                referrer: referrer.clone(),
                at: None,
            },
            None,
        );
        let within = |v: &Option<String>, max: usize| v.as_ref().is_none_or(|v| v.chars().count() <= max);
        for value in [&got.source, &got.medium, &got.campaign, &got.term, &got.content] {
            assert!(within(value, limits::ATTRIBUTION_VALUE), "{value:?}");
        }
        assert!(got.click_ids.values().all(|v| v.chars().count() <= limits::CLICK_ID));
        assert!(within(&got.landing_page, limits::URL) && within(&got.referrer, limits::URL));
    }
    let tagged = format!("{SHOP}?{noise}&utm_source=vk&utm_medium=cpc&gclid={}", long("G", 900));
    let got = classify(&touch(&tagged, ""), None);
    assert_eq!(
        render(&got),
        format!("paid_social vk/cpc #gclid={}", long("G", limits::CLICK_ID))
    );
    assert_eq!(got.landing_page.as_deref().map(|l| l.len() < 1_000), Some(true));
}

#[test]
fn landing_page_and_referrer_are_web_addresses_without_credentials() {
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("", "", Some(SHOP), None),
        (
            "https://u:p@SHOP.example/a b",
            "https://u:p@blog.example/x",
            Some("https://shop.example/a%20b"),
            Some("https://blog.example/x"),
        ),
        ("javascript:alert(1)", "javascript:alert(1)", None, None),
        (
            "/relative?utm_source=x",
            "android-app://com.example.app/",
            Some("/relative?utm_source=x"),
            Some("android-app://com.example.app/"),
        ),
        (
            "https://пример.рф/",
            "https://пример.рф/",
            Some("https://xn--e1afmkfd.xn--p1ai/"),
            Some("https://xn--e1afmkfd.xn--p1ai/"),
        ),
    ];
    for (landing, referrer, want_landing, want_referrer) in cases {
        let got = classify(&touch(landing, referrer), None);
        assert_eq!(
            (got.landing_page.as_deref(), got.referrer.as_deref()),
            (*want_landing, *want_referrer),
            "{landing} from {referrer}"
        );
    }
}

#[test]
fn the_webhook_shape_has_every_key() {
    let touches = Touches {
        first: Some(touch(
            "?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&yclid=42",
            "",
        )),
        last: None,
        visits: Some(1),
    };
    let json = serde_json::to_value(attribute(&touches, &Page::default())).expect("serialises");
    let touch = serde_json::json!({
        "channel": "paid_search", "source": "yandex", "medium": "cpc", "campaign": "spring",
        "term": null, "content": null, "click_ids": { "yclid": "42" }, "referrer": null,
        "landing_page": "https://shop.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&yclid=42",
    });
    let mut first = touch.clone();
    first["at"] = "2025-11-23T12:00:00Z".into();
    let mut want = touch;
    want["first_touch"] = first;
    want["last_touch"] = serde_json::Value::Null;
    want["visits"] = 1.into();
    assert_eq!(json, want);
    let back: Attribution = serde_json::from_value(json).expect("reads back");
    assert_eq!(back.deciding.channel, Channel::PaidSearch);
}

#[test]
fn no_touches_fall_back_to_the_page() {
    let page = Page {
        url: format!("{SHOP}?utm_source=page&utm_medium=cpc"),
        title: None,
        referrer: None,
    };
    let got = attribute(&Touches::default(), &page);
    assert_eq!(render(&got.deciding), "paid_search page/cpc");
    assert_eq!((got.first_touch, got.last_touch, got.visits), (None, None, None));
}

#[test]
fn nasty_combinations_never_panic() {
    let parts = [
        "",
        "https://",
        "android-app://",
        "javascript:",
        "//",
        "?",
        "#",
        "%",
        "%FF",
        "%E2%82",
        "@",
        ":",
        ":99999",
        "[",
        "]",
        "xn--",
        "я",
        "\u{0}",
        ".",
        "www.",
        "google.",
        "shop.example",
        ";",
        "_openstat=",
        "utm_source=",
        "gclid=",
        "&",
        "=",
        "+",
        "\\",
    ];
    let within = |c: &Classification| {
        let short = |v: &Option<String>, max: usize| v.as_ref().is_none_or(|v| v.chars().count() <= max);
        [&c.source, &c.medium, &c.campaign, &c.term, &c.content]
            .into_iter()
            .all(|v| short(v, limits::ATTRIBUTION_VALUE))
            && short(&c.landing_page, limits::URL)
            && short(&c.referrer, limits::URL)
    };
    for a in parts {
        for b in parts {
            for c in parts {
                let odd = format!("{a}{b}{c}");
                for (url, referrer) in [(odd.as_str(), SHOP), (SHOP, odd.as_str())] {
                    let got = classify(&touch(url, referrer), None);
                    assert!(within(&got), "{url:?} from {referrer:?}: {got:?}");
                }
            }
        }
    }
}
