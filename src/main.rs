fn main() {
    std::process::exit(wafunnel::cli::main());
}
