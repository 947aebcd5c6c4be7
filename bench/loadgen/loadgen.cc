// civid-loadgen: a native gRPC load generator for the benchmarks (bench/loadgen/__init__.py drives it).
//
// Why native: on the 2-core bench machine the load generator shares the cores with the server it
// measures. A grpc.aio Python client spends ~0.4 ms of CPU per call, a fifth of the machine at
// 1,000 calls/s; this one spends a few microseconds, so the figures are the server's.
//
// It knows nothing of our messages: it sends prepared, serialized requests (a file of records, each
// a little-endian u32 length and the bytes) to one method, and writes one record per call:
//   u32 index, i32 status code, u64 due_ns, u64 sent_ns, u64 done_ns (from the run's start),
//   u32 n + n bytes (the response if OK, else the status details: a serialized google.rpc.Status),
//   u32 m + m bytes (the status message).
// Python decodes the responses afterwards, so every answer is checked, not only counted.
//
// Modes: closed loop (--concurrency calls in flight until --seconds or the requests run out) or
// open loop (--rate calls per second on a fixed schedule for --seconds, however the server answers).
// A summary line of JSON goes to stdout at the end.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string target, method, requests, out, metadata_key, metadata_value;
  int connections = 4;
  int concurrency = 8;
  double rate = 0;  // > 0: open loop
  double seconds = 20;
  double timeout_s = 30;
  double start_at_unix = 0;  // wall-clock time to start at (several generators start together)
};

struct Call {
  uint32_t index = 0;
  int64_t due_ns = 0, sent_ns = 0;
  grpc::ClientContext context;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
};

// gRPC takes deadlines on the system clock only
std::chrono::system_clock::time_point wall(Clock::time_point t) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(t - Clock::now());
}

[[noreturn]] void fail(const std::string& why) {
  std::cerr << "civid-loadgen: " << why << "\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) fail("missing value for " + flag);
    std::string value = argv[++i];
    if (flag == "--target") o.target = value;
    else if (flag == "--method") o.method = value;
    else if (flag == "--requests") o.requests = value;
    else if (flag == "--out") o.out = value;
    else if (flag == "--metadata") {
      auto eq = value.find('=');
      if (eq == std::string::npos) fail("--metadata wants key=value");
      o.metadata_key = value.substr(0, eq);
      o.metadata_value = value.substr(eq + 1);
    } else if (flag == "--connections") o.connections = std::stoi(value);
    else if (flag == "--concurrency") o.concurrency = std::stoi(value);
    else if (flag == "--rate") o.rate = std::stod(value);
    else if (flag == "--seconds") o.seconds = std::stod(value);
    else if (flag == "--timeout-s") o.timeout_s = std::stod(value);
    else if (flag == "--start-at-unix") o.start_at_unix = std::stod(value);
    else fail("unknown flag " + flag);
  }
  if (o.target.empty() || o.method.empty() || o.requests.empty() || o.out.empty())
    fail("--target, --method, --requests and --out are required");
  if (o.connections < 1 || o.concurrency < 1) fail("--connections and --concurrency must be >= 1");
  return o;
}

std::vector<grpc::Slice> read_requests(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::vector<grpc::Slice> out;
  uint32_t size = 0;
  std::string buffer;
  while (in.read(reinterpret_cast<char*>(&size), 4)) {
    buffer.resize(size);
    if (!in.read(buffer.data(), size)) fail("truncated record in " + path);
    out.emplace_back(buffer);
  }
  return out;
}

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_bytes(std::string& out, const std::string& bytes) {
  put_u32(out, static_cast<uint32_t>(bytes.size()));
  out += bytes;
}

std::string flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

class Generator {
 public:
  // Each answered call's record goes to ``records`` as it completes (buffered writes: holding them all
  // in one growing string would stop the generator for a copy of everything at each reallocation).
  Generator(const Options& o, std::vector<grpc::Slice> requests, std::FILE* records)
      : o_(o), requests_(std::move(requests)), records_(records) {
    for (int i = 0; i < o.connections; ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
      args.SetMaxReceiveMessageSize(-1);
      auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5)))
        fail("cannot connect to " + o.target);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
  }

  std::string run() {
    double late_s = 0;  // how late the run starts after --start-at-unix (it was given too little time)
    if (o_.start_at_unix > 0) {
      double now = unix_now();
      if (o_.start_at_unix > now)
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.start_at_unix - now));
      late_s = std::max(0.0, unix_now() - o_.start_at_unix);
    }
    double cpu_before = cpu_seconds();
    start_ = Clock::now();
    const int64_t end_ns = static_cast<int64_t>(o_.seconds * 1e9);
    if (o_.rate > 0) open_loop(end_ns);
    else closed_loop(end_ns);
    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "{\"calls\": %zu, \"elapsed_s\": %.6f, \"cpu_s\": %.6f, \"lag_max_ms\": %.3f, "
                  "\"late_start_ms\": %.3f}",
                  static_cast<size_t>(next_), elapsed_ns() / 1e9, cpu_seconds() - cpu_before,
                  lag_max_ns_ / 1e6, late_s * 1e3);
    return summary;
  }

 private:
  int64_t elapsed_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  }

  void send(int64_t due_ns) {
    auto* call = new Call();
    call->index = static_cast<uint32_t>(next_);
    call->due_ns = due_ns;
    if (!o_.metadata_key.empty()) call->context.AddMetadata(o_.metadata_key, o_.metadata_value);
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                   std::chrono::duration<double>(o_.timeout_s)));
    grpc::ByteBuffer request(&requests_[next_], 1);
    auto& stub = *stubs_[next_ % stubs_.size()];
    call->reader = stub.PrepareUnaryCall(&call->context, o_.method, request, &queue_);
    call->sent_ns = elapsed_ns();
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++next_;
    ++in_flight_;
  }

  void complete(Call* call) {
    int64_t done_ns = elapsed_ns();
    std::string record;
    put_u32(record, call->index);
    put_u32(record, static_cast<uint32_t>(call->status.error_code()));
    put_u64(record, static_cast<uint64_t>(call->due_ns));
    put_u64(record, static_cast<uint64_t>(call->sent_ns));
    put_u64(record, static_cast<uint64_t>(done_ns));
    put_bytes(record, call->status.ok() ? flatten(call->response) : call->status.error_details());
    put_bytes(record, call->status.error_message());
    if (std::fwrite(record.data(), 1, record.size(), records_) != record.size()) fail("cannot write a record");
    --in_flight_;
    delete call;
  }

  bool next_event(Clock::time_point deadline) {
    void* tag = nullptr;
    bool ok = false;
    auto got = queue_.AsyncNext(&tag, &ok, wall(deadline));
    if (got == grpc::CompletionQueue::SHUTDOWN) fail("completion queue shut down");
    if (got == grpc::CompletionQueue::GOT_EVENT) complete(static_cast<Call*>(tag));
    return got == grpc::CompletionQueue::GOT_EVENT;
  }

  void closed_loop(int64_t end_ns) {
    while (next_ < requests_.size() && in_flight_ < o_.concurrency) send(elapsed_ns());
    while (in_flight_ > 0) {
      next_event(Clock::now() + std::chrono::seconds(1));
      while (next_ < requests_.size() && in_flight_ < o_.concurrency && elapsed_ns() < end_ns)
        send(elapsed_ns());
    }
  }

  void open_loop(int64_t end_ns) {
    const double interval_ns = 1e9 / o_.rate;
    auto due = [&](size_t i) { return static_cast<int64_t>(i * interval_ns); };
    for (;;) {
      int64_t now = elapsed_ns();
      while (next_ < requests_.size() && due(next_) < end_ns && due(next_) <= now) {
        lag_max_ns_ = std::max(lag_max_ns_, now - due(next_));
        send(due(next_));
      }
      bool more = next_ < requests_.size() && due(next_) < end_ns;
      if (!more && in_flight_ == 0) return;
      auto wake = more ? start_ + std::chrono::nanoseconds(due(next_)) : Clock::now() + std::chrono::seconds(1);
      next_event(wake);
    }
  }

  const Options& o_;
  std::vector<grpc::Slice> requests_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  grpc::CompletionQueue queue_;
  Clock::time_point start_;
  size_t next_ = 0;
  int in_flight_ = 0;
  int64_t lag_max_ns_ = 0;
  std::FILE* records_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  auto requests = read_requests(options.requests);
  if (requests.empty()) fail("no requests in " + options.requests);
  std::FILE* records = std::fopen(options.out.c_str(), "wb");
  if (records == nullptr) fail("cannot write " + options.out);
  std::setvbuf(records, nullptr, _IOFBF, 1 << 20);
  std::string summary;
  {
    Generator generator(options, std::move(requests), records);
    summary = generator.run();
  }
  if (std::fclose(records) != 0) fail("cannot write " + options.out);
  std::cout << summary << std::endl;
  return 0;
}
