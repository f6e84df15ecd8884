//! The domain crate's one integration-test binary.

mod documents;
mod engine;
mod explain;
mod purity;
mod support;
mod validation;
