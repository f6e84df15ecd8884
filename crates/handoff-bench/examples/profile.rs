//! Runs the benchmark workload once, for profilers:
//! `cargo build --profile bench -p handoff-bench --example profile` then
//! `valgrind --tool=callgrind target/bench/examples/profile 1000 20000`.

fn main() {
    let mut args = std::env::args().skip(1).map(|arg| arg.parse::<u32>().expect("a number"));
    let agents = args.next().unwrap_or(1_000);
    let chats = args.next().unwrap_or(handoff_bench::CHATS);
    let workload = handoff_bench::workload(agents, chats);
    let mut engine = handoff_bench::prepare(&workload, false);
    let started = std::time::Instant::now();
    let decisions = handoff_bench::run(&mut engine, &workload.commands);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{decisions} decisions for {chats} chats at {agents} agents in {seconds:.3} s: {:.0} decisions/s",
        decisions as f64 / seconds
    );
}
