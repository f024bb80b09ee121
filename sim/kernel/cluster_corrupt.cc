// Corrupted messages (CorruptSpec, cluster_config.h): the rules that damage frames on the wire,
// the sender's side that frames and damages a message a rule picks, and the receiver's side that
// checks the frame before its node sees anything (frame.h). A message no rule picks is never
// framed, and a run without rules draws nothing from the "frame_corrupt" stream, so its trace is
// what it was.
#include <fmt/format.h>

#include <memory>
#include <utility>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"
#include "sim/kernel/frame.h"
#include "sim/kernel/io_format.h"
#include "sim/kernel/message_class.h"

namespace pg::sim {
namespace {

// Folded into a dropped frame's trace record after its input, so the trace hash tells a frame
// its check refused from any other drop of the same message.
constexpr uint64_t kTraceCorruptFrame = 0x636f7272757074ULL;  // "corrupt"

std::string CorruptText(const Cluster& c, const CorruptSpec& r) {
  std::string scope = "every link";
  if (r.from && r.to) {
    scope = fmt::format("{}->{}", c.name(*r.from), c.name(*r.to));
  } else if (r.node) {
    scope = c.name(*r.node);
  }
  const char* cls = !r.message_class                             ? "all"
                    : *r.message_class == MessageClass::kControl ? "control"
                                                                 : "data";
  return fmt::format("corrupt frames: {} messages on {}, chance {}, 1..{} bits", cls, scope,
                     r.probability, r.bits_max);
}

}  // namespace

CorruptId Cluster::AddCorruption(const CorruptSpec& spec) {
  for (const auto& id : {spec.node, spec.from, spec.to}) {
    if (id && !impl_->Valid(*id)) {
      impl_->LogFault(fmt::format("corrupt frames on unknown node {} ignored", *id));
      return 0;
    }
  }
  if (spec.probability <= 0 || spec.bits_max == 0) {
    impl_->LogFault(fmt::format("corrupt frames with chance {} and {} bits ignored",
                                spec.probability, spec.bits_max));
    return 0;
  }
  impl_->LogFault(CorruptText(*this, spec));
  const CorruptId id = impl_->corruptions.Add(spec);
  impl_->effects.CorruptionAdded(id, impl_->LastFault());  // its effects: the frames it damages
  return id;
}

void Cluster::EndCorruption(CorruptId id) {
  if (!impl_->corruptions.End(id)) return;  // ignored, or cleared by ClearCorruptions
  impl_->effects.CorruptionEnded(id);
  impl_->LogFault(fmt::format("corrupt frames {} end", id));
  impl_->TookEffect();
}

void Cluster::ClearCorruptions() {
  if (impl_->corruptions.empty()) return;  // keeps a run without rules' trace as it was
  impl_->corruptions.Clear();
  impl_->LogFault("frame corruption cleared");
  impl_->TookEffect(impl_->effects.CorruptionsCleared());
}

std::shared_ptr<const kernel::CorruptFrame> Cluster::Impl::MaybeCorrupt(NodeId from, NodeId to,
                                                                        const Message& msg) {
  Rng& rng = Stream("frame_corrupt");
  const std::optional<CorruptRules::Hit> hit = corruptions.Draw(from, to, ClassOf(msg), rng);
  if (!hit) return nullptr;
  auto frame = std::make_shared<kernel::CorruptFrame>();
  frame->bytes = EncodeFrame(msg);  // only the frames a rule picks are ever encoded
  frame->bits_flipped = FlipFrameBits(&frame->bytes, hit->bits, rng);
  stats.corrupted++;
  effects.Add(effects.CorruptionFault(hit->rule));
  return frame;
}

bool Cluster::Impl::DeliverFrame(NodeState& ns, const Event& e) {
  OpenedFrame opened = OpenFrame(e.frame->bytes);
  const uint32_t bits = e.frame->bits_flipped;
  if (opened.check != FrameCheck::kIntact) {
    stats.dropped_corrupt++;
    trace.Begin(now, e.node.value(), 0, kernel::kTraceDrop);
    TraceInput(trace, e.input, e.msg_digest);
    trace.Word(kTraceCorruptFrame);
    trace.Word(static_cast<uint64_t>(opened.check));
    trace.End();
    if (trace.recording()) {
      std::string what =
          fmt::format("drop (corrupt frame: {}, {} bits flipped{}): ", FrameCheckName(opened.check),
                      bits, opened.why.empty() ? "" : ": " + opened.why);
      AppendInput(&what, e.input);
      trace.AddLine({current_index, now, ns.name, std::move(what)});
    }
    return true;
  }
  // The damage passed the check and the bytes decode: the receiver gets what they now say, and
  // the trace records that message, not the one sent.
  Event decoded = e;
  decoded.frame.reset();
  decoded.msg_digest = trace.Digest(opened.msg);
  const NodeId from = std::get<Receive>(e.input).from;
  if (trace.recording()) {
    trace.AddLine({current_index, now, ns.name,
                   fmt::format("corrupt frame from {} passed its check ({} bits flipped): "
                               "delivered as it decodes",
                               Valid(from) ? nodes[from.value()]->name : "?", bits)});
  }
  decoded.input.emplace<Receive>(Receive{.from = from, .msg = std::move(opened.msg)});
  return Deliver(ns, decoded);
}

}  // namespace pg::sim
