//! The domain crate's one integration-test binary.

mod engine;
mod purity;
mod support;
