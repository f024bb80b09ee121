// Placeholder translation unit so pg_checker exists before the checker lands; removed with it.
namespace pg::checker {
int CheckerVersion() { return 1; }
}  // namespace pg::checker
