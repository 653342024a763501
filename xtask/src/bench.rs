pub fn run() -> Result<(), crate::step::Failure> {
    Ok(())
}
