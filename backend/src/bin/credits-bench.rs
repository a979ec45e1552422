//! `credits-bench`: the backend benchmark (see `credits_backend::bench`); prints a table.

fn main() -> anyhow::Result<()> {
    credits_backend::bench::main_with_args(std::env::args())
}
