//! The domain crate's one integration-test binary.

mod documents;
mod engine;
mod explain;
mod fuzz;
mod properties;
mod purity;
mod support;
mod validation;
