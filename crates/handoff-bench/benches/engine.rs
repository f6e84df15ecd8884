//! Criterion benchmark of the engine on the shared workload: 100, 1,000 and 10,000 agents with
//! the pools' index, and 1,000 agents with the linear scan as the naive baseline; and of the
//! intent recognizer, one message against 50 intents of 20 phrases (`-- intent` runs it alone),
//! with its accuracy on the labelled set.
//! Prints one `native …` line per measurement; `cargo xtask bench` adds the wasm figure and the
//! final `engine decisions/s: N` line.

fn main() {
    // criterion is native only; in wasm the workload is measured by `tests/wasm.rs`.
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::cell::RefCell;
    use std::time::{Duration, Instant};

    use criterion::{Criterion, Throughput};
    use handoff::Language;
    use handoff_bench::intents::{self, intent_workload};
    use handoff_bench::{CHATS, Workload, prepare, run, workload};

    /// Time spent in the timed part and the iterations run, per measurement, as criterion measured them.
    struct Measured {
        name: String,
        decisions: u64,
        time: Duration,
        iterations: u64,
    }

    impl Measured {
        fn decisions_per_second(&self) -> f64 {
            self.decisions as f64 * self.iterations as f64 / self.time.as_secs_f64()
        }
    }

    /// Runs `timed` under criterion as `group/name` (it returns the time of the part to count for
    /// the iterations it is given), and sums the time and iterations criterion asked for.
    fn time_with_criterion(
        criterion: &mut Criterion,
        group: &str,
        name: &str,
        elements: u64,
        mut timed: impl FnMut(u64) -> Duration,
    ) -> (Duration, u64) {
        let totals = RefCell::new((Duration::ZERO, 0u64));
        let mut group = criterion.benchmark_group(group);
        group.throughput(Throughput::Elements(elements));
        group.bench_function(name, |bencher| {
            bencher.iter_custom(|iterations| {
                let elapsed = timed(iterations);
                let mut totals = totals.borrow_mut();
                totals.0 += elapsed;
                totals.1 += iterations;
                elapsed
            });
        });
        group.finish();
        totals.into_inner()
    }

    fn measure(criterion: &mut Criterion, name: &str, workload: &Workload, linear_scan: bool) -> Measured {
        let decisions = run(&mut prepare(workload, linear_scan), &workload.commands);
        let (time, iterations) = time_with_criterion(criterion, "engine", name, decisions, |iterations| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iterations {
                let mut engine = prepare(workload, linear_scan);
                let started = Instant::now();
                std::hint::black_box(run(&mut engine, &workload.commands));
                elapsed += started.elapsed();
            }
            elapsed
        });
        Measured { name: name.to_owned(), decisions, time, iterations }
    }

    /// Recognising each message of the intents workload against 50 intents of 20 phrases, the
    /// recognizer compiled outside the clock; the mean time of one message, in microseconds.
    fn measure_intents(criterion: &mut Criterion) -> f64 {
        let workload = intent_workload();
        let recognizer = workload.recognizer();
        let english = Language::new("en");
        let messages = workload.messages.len() as u64;
        let (time, iterations) = time_with_criterion(criterion, "intent", "match", messages, |iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                for message in &workload.messages {
                    std::hint::black_box(recognizer.recognise(message, &english, &english));
                }
            }
            started.elapsed()
        });
        time.as_secs_f64() * 1e6 / (iterations as f64 * workload.messages.len() as f64)
    }

    pub fn main() {
        let mut criterion = Criterion::default()
            .configure_from_args()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        // `cargo bench -p handoff-bench --bench engine -- intent` measures the recognizer alone.
        let only_intents = std::env::args().skip(1).any(|arg| arg.starts_with("intent"));
        let intent_micros = measure_intents(&mut criterion);
        let evaluation = intents::evaluation();
        let intent_messages = intent_workload();
        let (recognizer, english) = (intent_messages.recognizer(), Language::new("en"));
        let recognised = intent_messages
            .messages
            .iter()
            .filter(|message| recognizer.recognise(message, &english, &english).is_some())
            .count();
        let print_intents = || {
            println!(
                "native intent match µs: {intent_micros:.2} (one message, 50 intents of 20 phrases; {recognised} of {} messages recognised)",
                intent_messages.messages.len()
            );
            println!("native intents accuracy: {:.1}%", evaluation.accuracy() * 100.0);
            println!("native intents false handoffs: {:.1}%", evaluation.false_handoff_rate() * 100.0);
        };
        if only_intents {
            criterion.final_summary();
            println!();
            print_intents();
            return;
        }
        let mut results = Vec::new();
        for agents in [100, 1_000, 10_000] {
            let workload = workload(agents, CHATS);
            results.push(measure(&mut criterion, &format!("{agents} agents"), &workload, false));
        }
        let naive = measure(&mut criterion, "1000 agents, linear scan", &workload(1_000, CHATS), true);
        criterion.final_summary();

        println!();
        for result in results.iter().chain([&naive]) {
            println!(
                "native {}: {} decisions per run of {CHATS} chats, {:.0} decisions/s",
                result.name,
                result.decisions,
                result.decisions_per_second()
            );
        }
        let at = |agents: &str| results.iter().find(|result| result.name.starts_with(agents)).expect("measured");
        let (thousand, ten_thousand) = (at("1000 "), at("10000 "));
        println!(
            "native cost of a decision from 1,000 to 10,000 agents: x{:.2}",
            thousand.decisions_per_second() / ten_thousand.decisions_per_second()
        );
        println!(
            "native index vs linear scan at 1,000 agents: x{:.1} faster",
            thousand.decisions_per_second() / naive.decisions_per_second()
        );
        print_intents();
        println!("native engine decisions/s at 1,000 agents: {:.0}", thousand.decisions_per_second());
    }
}
