//! The names unit enums have on the wire, one table per enum.
//!
//! [`wire_names!`] gives an enum `as_str`, `parse` and `WIRE_NAMES` from the
//! same rows. `as_str` matches every variant, so a variant without a row does
//! not compile. serde writes and reads the enums by `rename_all =
//! "snake_case"`; the test below holds it to the table for every row.

/// `wire_names! { Enum { Variant => "name", … } }`, next to the enum.
macro_rules! wire_names {
    ($enum:ident { $($variant:ident => $name:literal,)+ }) => {
        impl $enum {
            /// Every variant with its name on the wire, in declaration order.
            pub const WIRE_NAMES: &'static [(&'static str, $enum)] = &[$(($name, $enum::$variant)),+];

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)+
                }
            }

            /// The variant a wire name names; `None` for any other text.
            pub fn parse(name: &str) -> Option<$enum> {
                crate::json::named(Self::WIRE_NAMES, name)
            }
        }
    };
}

pub(crate) use wire_names;

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;

    use crate::attribution::Channel;
    use crate::widget::{Messenger, Mode};
    use crate::wire::LeadKind;

    /// Both directions for every row: `as_str`, `parse`, and serde's name.
    fn every_row<T>(rows: &[(&str, T)], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Copy + PartialEq + Debug + Serialize + DeserializeOwned,
    {
        for (i, (name, variant)) in rows.iter().enumerate() {
            assert_eq!(as_str(*variant), *name, "{variant:?}");
            assert_eq!(parse(name), Some(*variant), "{name}");
            assert_eq!(serde_json::to_value(variant).ok(), Some(json!(name)), "{variant:?}");
            assert_eq!(serde_json::from_value::<T>(json!(name)).ok(), Some(*variant), "{name}");
            assert!(
                rows[..i].iter().all(|(n, v)| n != name && v != variant),
                "{name} or {variant:?} twice"
            );
            assert_eq!(parse(&name.to_uppercase()), None, "{name}: names are exact");
        }
        assert_eq!(parse(""), None);
    }

    #[test]
    fn every_variant_has_one_name_in_every_direction() {
        every_row(LeadKind::WIRE_NAMES, LeadKind::as_str, LeadKind::parse);
        every_row(Messenger::WIRE_NAMES, Messenger::as_str, Messenger::parse);
        every_row(Mode::WIRE_NAMES, Mode::as_str, Mode::parse);
        every_row(Channel::WIRE_NAMES, Channel::as_str, Channel::parse);
    }
}
