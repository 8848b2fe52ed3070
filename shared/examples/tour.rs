//! `cargo run --release -p shared --example tour`: how a lesson finds and reads the dataset,
//! the code the book's dataset chapter shows.

fn main() -> anyhow::Result<()> {
    let command = "cargo run --release -p shared --example tour";
    if let Some(warning) = shared::report::debug_build_warning(command) {
        eprintln!("{warning}");
    }
    // ANCHOR: tour
    let dataset = shared::Dataset::locate()?; // $PARALLEL_RUST_DATA, else data/
    println!("{}", shared::dataset::location_lines(dataset.root(), None));
    for path in shared::columnar::ensure(&dataset)? {
        // data/columnar/{SYM}.parquet, made from data/json/ when missing
        let columns = shared::columnar::read_columns(&path)?;
        println!("{}: {} bars", path.display(), columns.len());
    }
    let days = dataset.minute_files("AAPL"); // data/minute/AAPL/*.csv, in date order
    if let Some(first) = days.first() {
        let bars: Vec<shared::Bar> = shared::read::read_csv(first)?;
        println!("{}: {} bars", first.display(), bars.len());
    }
    // ANCHOR_END: tour
    Ok(())
}
