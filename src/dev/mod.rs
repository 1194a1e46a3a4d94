//! Developer tools behind `netaccept dev`: generators of test data, not part of a user's
//! acceptance run.

pub mod national;
