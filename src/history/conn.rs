//! One connection to either backend behind the few operations the store needs: statements
//! with parameters, rows read by column index, many rows inserted at once, and a write
//! transaction. The SQL is written once, with PostgreSQL's `$1` placeholders (SQLite reads
//! them as `?1`), and with column types both engines spell the same way (`BIGINT`, `TEXT`,
//! `DOUBLE PRECISION`): every integer is an `i64`, every time an `i64` of nanoseconds.

use std::collections::HashMap;
use std::time::Duration;

use postgres::types::{IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

/// How long a writer waits for another one before [`Fail::Locked`] (SQLite's busy timeout).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The PostgreSQL advisory lock that serialises migrations and writes: a writer takes it
/// inside its transaction, so two runners recording at once queue instead of deadlocking
/// on the rows they both touch (items, roll-ups, catalog), and each sees the other's run
/// when it computes "failing since". The number is arbitrary but fixed ("netacc" in ASCII).
const PG_WRITE_LOCK: i64 = 0x6e65_7461_6363;

/// How many rows one multi-row `INSERT` carries to PostgreSQL: fewer round trips, and far
/// under the protocol's 65,535 parameters for the widest table.
const PG_ROWS_PER_INSERT: usize = 1000;

/// A failure, before it is given the store's location.
#[derive(Debug)]
pub enum Fail {
    Open(String),
    Locked(String),
    Db(String),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        use rusqlite::ErrorCode as C;
        let why = e.to_string();
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => Fail::Locked(why),
            Some(
                C::ReadOnly
                | C::CannotOpen
                | C::NotADatabase
                | C::PermissionDenied
                | C::SystemIoFailure,
            ) => Fail::Open(why),
            _ => Fail::Db(why),
        }
    }
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Fail {
        use postgres::error::SqlState;
        // The error's own text names the server's message, never the connection string.
        let why = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => e.to_string(),
        };
        if e.is_closed() {
            return Fail::Open(why);
        }
        match e.code() {
            Some(c)
                if *c == SqlState::LOCK_NOT_AVAILABLE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::T_R_SERIALIZATION_FAILURE =>
            {
                Fail::Locked(why)
            }
            Some(c)
                if *c == SqlState::INSUFFICIENT_PRIVILEGE
                    || *c == SqlState::READ_ONLY_SQL_TRANSACTION
                    || *c == SqlState::INVALID_PASSWORD
                    || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                    || *c == SqlState::INVALID_CATALOG_NAME =>
            {
                Fail::Open(why)
            }
            Some(_) => Fail::Db(why),
            // No SQL state: the socket, the handshake, the server gone.
            None => Fail::Open(why),
        }
    }
}

/// A statement parameter, bound the same way by both backends.
#[derive(Debug, Clone)]
pub enum P<'a> {
    I(i64),
    F(f64),
    T(&'a str),
    S(String),
    Null,
}

impl P<'_> {
    pub fn opt_i(v: Option<i64>) -> P<'static> {
        v.map_or(P::Null, P::I)
    }

    pub fn opt_t(v: Option<&str>) -> P<'_> {
        v.map_or(P::Null, P::T)
    }
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            P::I(v) => ToSqlOutput::Owned(Value::Integer(*v)),
            P::F(v) => ToSqlOutput::Owned(Value::Real(*v)),
            P::T(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            P::S(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            P::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl PgToSql for P<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            P::Null => Ok(IsNull::Yes),
            // Every integer column is BIGINT; the other widths are there for parameters
            // PostgreSQL infers narrower (a function's argument).
            P::I(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            P::F(v) => v.to_sql(ty, out),
            P::T(s) => s.to_sql(ty, out),
            P::S(s) => s.as_str().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT2 | Type::INT4 | Type::INT8 | Type::FLOAT8 | Type::TEXT | Type::VARCHAR
        )
    }

    postgres::types::to_sql_checked!();
}

/// A row of a result, read by column index.
pub trait Row {
    fn i(&self, col: usize) -> Result<i64, Fail>;
    fn oi(&self, col: usize) -> Result<Option<i64>, Fail>;
    fn f(&self, col: usize) -> Result<f64, Fail>;
    fn s(&self, col: usize) -> Result<String, Fail>;
    fn os(&self, col: usize) -> Result<Option<String>, Fail>;
}

impl Row for rusqlite::Row<'_> {
    fn i(&self, col: usize) -> Result<i64, Fail> {
        Ok(self.get(col)?)
    }
    fn oi(&self, col: usize) -> Result<Option<i64>, Fail> {
        Ok(self.get(col)?)
    }
    fn f(&self, col: usize) -> Result<f64, Fail> {
        Ok(self.get(col)?)
    }
    fn s(&self, col: usize) -> Result<String, Fail> {
        Ok(self.get(col)?)
    }
    fn os(&self, col: usize) -> Result<Option<String>, Fail> {
        Ok(self.get(col)?)
    }
}

impl Row for postgres::Row {
    fn i(&self, col: usize) -> Result<i64, Fail> {
        Ok(self.try_get(col)?)
    }
    fn oi(&self, col: usize) -> Result<Option<i64>, Fail> {
        Ok(self.try_get(col)?)
    }
    fn f(&self, col: usize) -> Result<f64, Fail> {
        Ok(self.try_get(col)?)
    }
    fn s(&self, col: usize) -> Result<String, Fail> {
        Ok(self.try_get(col)?)
    }
    fn os(&self, col: usize) -> Result<Option<String>, Fail> {
        Ok(self.try_get(col)?)
    }
}

/// The open connection.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    /// Boxed: the client is large, and a store holds one connection.
    Postgres {
        client: Box<postgres::Client>,
        /// Prepared once per connection: a statement costs a round trip to prepare.
        statements: HashMap<String, postgres::Statement>,
    },
}

/// `$1` → `?1`: SQLite's numbered parameters (its `$name` would be a named one).
fn sqlite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

fn pg_params<'a>(params: &'a [P<'_>]) -> Vec<&'a (dyn PgToSql + Sync)> {
    params.iter().map(|p| p as &(dyn PgToSql + Sync)).collect()
}

impl Conn {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Conn::Sqlite(_))
    }

    fn pg_statement(
        client: &mut postgres::Client,
        statements: &mut HashMap<String, postgres::Statement>,
        sql: &str,
    ) -> Result<postgres::Statement, Fail> {
        if let Some(s) = statements.get(sql) {
            return Ok(s.clone());
        }
        let s = client.prepare(sql)?;
        statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Runs statements without parameters or results (DDL, transaction control).
    pub fn batch(&mut self, sql: &str) -> Result<(), Fail> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres { client, .. } => Ok(client.batch_execute(sql)?),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn exec(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, Fail> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(&sqlite_sql(sql))?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Conn::Postgres { client, statements } => {
                let st = Conn::pg_statement(client, statements, sql)?;
                Ok(client.execute(&st, &pg_params(params))?)
            }
        }
    }

    /// Runs one query, handing each row to `f` in order.
    pub fn each(
        &mut self,
        sql: &str,
        params: &[P<'_>],
        f: &mut dyn FnMut(&dyn Row) -> Result<(), Fail>,
    ) -> Result<(), Fail> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(&sqlite_sql(sql))?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    f(row)?;
                }
                Ok(())
            }
            Conn::Postgres { client, statements } => {
                let st = Conn::pg_statement(client, statements, sql)?;
                for row in client.query(&st, &pg_params(params))? {
                    f(&row)?;
                }
                Ok(())
            }
        }
    }

    /// Runs one query and maps every row.
    pub fn rows<T>(
        &mut self,
        sql: &str,
        params: &[P<'_>],
        mut f: impl FnMut(&dyn Row) -> Result<T, Fail>,
    ) -> Result<Vec<T>, Fail> {
        let mut out = Vec::new();
        self.each(sql, params, &mut |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, mapped, if any.
    pub fn first<T>(
        &mut self,
        sql: &str,
        params: &[P<'_>],
        f: impl FnMut(&dyn Row) -> Result<T, Fail>,
    ) -> Result<Option<T>, Fail> {
        Ok(self.rows(sql, params, f)?.into_iter().next())
    }

    /// Inserts rows of `width` columns: `head` is `INSERT INTO t (a, b, c)`, `tail` what
    /// follows the values (`ON CONFLICT …`), `values` the rows one after the other. SQLite
    /// runs one prepared statement per row (it is in-process, a row costs a few
    /// microseconds); PostgreSQL gets multi-row statements, a round trip per thousand rows.
    pub fn insert(
        &mut self,
        head: &str,
        width: usize,
        tail: &str,
        values: &[P<'_>],
    ) -> Result<(), Fail> {
        debug_assert_eq!(values.len() % width, 0);
        match self {
            Conn::Sqlite(c) => {
                let marks: Vec<String> = (1..=width).map(|i| format!("?{i}")).collect();
                let sql = format!("{head} VALUES ({}) {tail}", marks.join(", "));
                let mut st = c.prepare_cached(&sql)?;
                for row in values.chunks(width) {
                    st.execute(rusqlite::params_from_iter(row.iter()))?;
                }
                Ok(())
            }
            Conn::Postgres { client, statements } => {
                for chunk in values.chunks(width * PG_ROWS_PER_INSERT) {
                    let rows = chunk.len() / width;
                    let mut sql = format!("{head} VALUES ");
                    for r in 0..rows {
                        if r > 0 {
                            sql.push_str(", ");
                        }
                        sql.push('(');
                        for c in 0..width {
                            if c > 0 {
                                sql.push_str(", ");
                            }
                            sql.push_str(&format!("${}", r * width + c + 1));
                        }
                        sql.push(')');
                    }
                    sql.push(' ');
                    sql.push_str(tail);
                    let st = Conn::pg_statement(client, statements, &sql)?;
                    client.execute(&st, &pg_params(chunk))?;
                }
                Ok(())
            }
        }
    }

    /// Begins the one transaction of a write: SQLite takes its write lock now (waiting up
    /// to the busy timeout) rather than at the first write; PostgreSQL takes the store's
    /// advisory lock, released at commit or rollback.
    fn begin_write(&mut self) -> Result<(), Fail> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch("BEGIN IMMEDIATE")?),
            Conn::Postgres { client, .. } => {
                client.batch_execute("BEGIN")?;
                if let Err(e) =
                    client.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_WRITE_LOCK])
                {
                    // Not left in a failed transaction, for the next statement to trip on.
                    let _ = client.batch_execute("ROLLBACK");
                    return Err(e.into());
                }
                Ok(())
            }
        }
    }

    fn commit(&mut self) -> Result<(), Fail> {
        self.batch("COMMIT")
    }

    /// Rolls back after a failure; a failure of the rollback itself adds nothing to say
    /// (SQLite may already have rolled back, PostgreSQL's connection may be gone).
    fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`, rolled back
    /// otherwise. `E` is [`Fail`] or an error that can say one (a migration's).
    pub fn write<T, E: From<Fail>>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        self.begin_write()?;
        let done = f(self).and_then(|v| Ok(self.commit().map(|()| v)?));
        if done.is_err() {
            self.rollback();
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_sqlite_numbered_ones() {
        assert_eq!(
            sqlite_sql("SELECT a FROM t WHERE b = $1 AND c = $12 AND d = '$x'"),
            "SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '$x'"
        );
    }
}
