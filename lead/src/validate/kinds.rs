//! What each kind of lead needs and may carry: every per-kind rule, in one table.

use crate::widget::{ContactField, FormSettings};
use crate::wire::LeadKind;

/// Whether a kind carries a part of the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Carry {
    /// Refused (`not_allowed`) when sent.
    No,
    Optional,
    /// Must be sent (for custom fields: the form's required ones must be answered).
    Required,
}

/// The contact details a kind needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Contacts {
    None,
    Phone,
    PhoneOrEmail,
    /// As `[site.widget.form] require` says; empty: a phone or an email.
    AsTheFormSays,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct KindRules {
    pub contact: Contacts,
    pub fields: Carry,
    pub slot: Carry,
    pub transcript: Carry,
    pub messenger: Carry,
    /// Needs the visitor's consent when the site asks for it.
    pub consent: bool,
}

#[rustfmt::skip]
pub(super) fn rules(kind: LeadKind) -> KindRules {
    use Carry::{No, Optional, Required};
    let row = |contact, fields, slot, transcript, messenger, consent| KindRules {
        contact, fields, slot, transcript, messenger, consent,
    };
    match kind {
        //                           contact                  fields    slot      transcript messenger consent
        LeadKind::Callback       => row(Contacts::Phone,         Optional, Optional, No,        No,       true),
        LeadKind::Form           => row(Contacts::AsTheFormSays, Required, No,       No,        No,       true),
        LeadKind::Chat           => row(Contacts::PhoneOrEmail,  Optional, No,       Optional,  No,       true),
        LeadKind::MessengerClick => row(Contacts::None,          No,       No,       No,        Required, false),
        LeadKind::PhoneClick     => row(Contacts::None,          No,       No,       No,        No,       false),
    }
}

/// Which contact details must be given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Needs {
    pub phone: bool,
    pub email: bool,
    pub name: bool,
    pub phone_or_email: bool,
}

impl Contacts {
    pub(super) fn needs(self, form: &FormSettings) -> Needs {
        let phone_or_email = Needs {
            phone_or_email: true,
            ..Needs::default()
        };
        match self {
            Contacts::None => Needs::default(),
            Contacts::Phone => Needs {
                phone: true,
                ..Needs::default()
            },
            Contacts::PhoneOrEmail => phone_or_email,
            Contacts::AsTheFormSays if form.require.is_empty() => phone_or_email,
            Contacts::AsTheFormSays => Needs {
                phone: form.require.contains(&ContactField::Phone),
                email: form.require.contains(&ContactField::Email),
                name: form.require.contains(&ContactField::Name),
                phone_or_email: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_says_what_a_form_needs() {
        let form = |require: &[ContactField]| FormSettings {
            require: require.to_vec(),
            ..FormSettings::default()
        };
        let (p, e, n, either) = (true, true, true, true);
        let cases: &[(Contacts, &[ContactField], Needs)] = &[
            (Contacts::None, &[ContactField::Phone], Needs::default()),
            (
                Contacts::Phone,
                &[],
                Needs {
                    phone: p,
                    ..Needs::default()
                },
            ),
            (
                Contacts::PhoneOrEmail,
                &[ContactField::Name],
                Needs {
                    phone_or_email: either,
                    ..Needs::default()
                },
            ),
            (
                Contacts::AsTheFormSays,
                &[],
                Needs {
                    phone_or_email: either,
                    ..Needs::default()
                },
            ),
            (
                Contacts::AsTheFormSays,
                &[ContactField::Phone],
                Needs {
                    phone: p,
                    ..Needs::default()
                },
            ),
            (
                Contacts::AsTheFormSays,
                &[ContactField::Name, ContactField::Email],
                Needs {
                    email: e,
                    name: n,
                    ..Needs::default()
                },
            ),
        ];
        for (contacts, require, want) in cases {
            assert_eq!(contacts.needs(&form(require)), *want, "{contacts:?} {require:?}");
        }
    }
}
