//! The backend boundary: everything the pages ask of a backend (commands in, the engine's
//! events out). The simulated backend runs the domain engine in the page (`simulated.rs`); a
//! later remote backend will talk to the project's server behind the same boundary.

pub mod browser;
pub mod indexed_db;
pub mod simulated;
