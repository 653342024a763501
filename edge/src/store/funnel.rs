//! Where funnel counts are added up: the daily counters of
//! `edge/migrations/0006_funnel.sql`, written as one batch per flush.

use lead::funnel::Key;

use super::StoreError;

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait FunnelStore {
    /// Adds each count to its daily counter (creating it at the count), all or none.
    async fn add_counts(&self, counts: &[(Key, u64)]) -> Result<(), StoreError>;
}

/// Rows per statement: D1 binds at most 100 parameters to one statement, 7 a row.
const ROWS_PER_STATEMENT: usize = 14;
const _: () = assert!(ROWS_PER_STATEMENT * 7 <= 100);

/// `INSERT … VALUES (…), (…) ON CONFLICT … DO UPDATE SET n = n + excluded.n` for `rows` rows.
fn upsert(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = r * 7;
            format!(
                "(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7
            )
        })
        .collect();
    format!(
        "INSERT INTO funnel_daily (site, day, mode, channel, campaign, event, n) VALUES {} \
         ON CONFLICT (site, day, mode, channel, campaign, event) DO UPDATE SET n = n + excluded.n",
        values.join(", ")
    )
}

mod d1 {
    use lead::funnel::Key;

    use super::super::d1::{number, text};
    use super::super::{D1Store, StoreError};
    use super::{upsert, FunnelStore, ROWS_PER_STATEMENT};

    impl FunnelStore for D1Store {
        async fn add_counts(&self, counts: &[(Key, u64)]) -> Result<(), StoreError> {
            let mut statements = Vec::new();
            for chunk in counts.chunks(ROWS_PER_STATEMENT) {
                let mut values = Vec::with_capacity(chunk.len() * 7);
                for (key, n) in chunk {
                    values.extend([
                        text(&key.site),
                        text(&key.day),
                        text(key.mode),
                        text(key.channel),
                        text(&key.campaign),
                        text(key.event.as_str()),
                        number(i64::try_from(*n).unwrap_or(i64::MAX)),
                    ]);
                }
                statements.push(self.db.prepare(upsert(chunk.len())).bind(&values)?);
            }
            if !statements.is_empty() {
                // One batch is one transaction: a failed write adds nothing, and is tried again.
                self.db.batch(statements).await?;
            }
            Ok(())
        }
    }
}

/// The counters in memory, for native tests.
#[cfg(test)]
#[derive(Default)]
pub struct MemoryFunnel {
    pub counters: std::cell::RefCell<std::collections::BTreeMap<Key, u64>>,
    /// When set, every write fails (a D1 outage).
    pub down: std::cell::Cell<bool>,
}

#[cfg(test)]
impl FunnelStore for MemoryFunnel {
    async fn add_counts(&self, counts: &[(Key, u64)]) -> Result<(), StoreError> {
        if self.down.get() {
            return Err(StoreError("down".into()));
        }
        let mut counters = self.counters.borrow_mut();
        for (key, n) in counts {
            *counters.entry(key.clone()).or_default() += n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_numbers_seven_parameters_a_row() {
        let sql = upsert(ROWS_PER_STATEMENT);
        assert!(sql.contains("(?92, ?93, ?94, ?95, ?96, ?97, ?98) ON CONFLICT"), "{sql}");
        assert!(upsert(1).contains("VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT"));
    }
}
