#include "mail/thread.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "mail/header_walk.h"
#include "mail/sort_keys.h"

namespace postamt::mail {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
using Node = ThreadForest::Node;

// RFC 5256 §2.2 order: sent date, then mailbox order.
struct DateKey {
  int64_t sent = 0;
  uint32_t index = 0;
  friend bool operator<(const DateKey& a, const DateKey& b) {
    return a.sent != b.sent ? a.sent < b.sent : a.index < b.index;
  }
};

// Every node reachable from `roots`, each before its children.
std::vector<uint32_t> pre_order(const ThreadForest& forest) {
  std::vector<uint32_t> out;
  std::vector<uint32_t> stack(forest.roots.rbegin(), forest.roots.rend());
  while (!stack.empty()) {
    uint32_t node = stack.back();
    stack.pop_back();
    out.push_back(node);
    const auto& children = forest.nodes[node].children;
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return out;
}

class Threader {
 public:
  explicit Threader(std::span<const ThreadInput> messages) : messages_(messages) {
    forest_.nodes.reserve(messages.size());
    parent_.reserve(messages.size());
    by_id_.reserve(messages.size());
  }

  // A node's place in date order: its message's, or a dummy's first child's (children
  // sorted already).
  DateKey key(uint32_t node) const {
    for (int hops = 0; hops < 2; ++hops) {
      const Node& n = forest_.nodes[node];
      if (n.message != ThreadForest::kNoMessage)
        return DateKey{messages_[n.message].sent, n.message};
      if (n.children.empty()) break;
      node = n.children.front();
    }
    return DateKey{INT64_MAX, UINT32_MAX};
  }

  void sort_by_date(std::vector<uint32_t>& siblings) const {
    std::sort(siblings.begin(), siblings.end(),
              [this](uint32_t a, uint32_t b) { return key(a) < key(b); });
  }

  // Step (6), also what ORDEREDSUBJECT's threads need: every set of siblings by date,
  // the deepest first, then the roots.
  void sort_all_siblings() {
    std::vector<uint32_t> order = pre_order(forest_);
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      sort_by_date(forest_.nodes[*it].children);
    sort_by_date(forest_.roots);
  }

  uint32_t add(uint32_t message) {
    forest_.nodes.push_back(Node{message, {}});
    parent_.push_back(kNone);
    return static_cast<uint32_t>(forest_.nodes.size() - 1);
  }

  ThreadForest by_references() {
    link_by_references();
    for (uint32_t node = 0; node < forest_.nodes.size(); ++node)
      if (parent_[node] == kNone) forest_.roots.push_back(node);
    prune_dummies();
    // (4) the threads by date, a dummy by its earliest child.
    for (uint32_t root : forest_.roots)
      if (forest_.nodes[root].message == ThreadForest::kNoMessage)
        sort_by_date(forest_.nodes[root].children);
    sort_by_date(forest_.roots);
    merge_by_subject();
    sort_all_siblings();
    return std::move(forest_);
  }

  ThreadForest ordered_subject() {
    std::vector<uint32_t> order(messages_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
      int c = messages_[a].subject.compare(messages_[b].subject);
      if (c != 0) return c < 0;
      return DateKey{messages_[a].sent, a} < DateKey{messages_[b].sent, b};
    });
    // The first message of each run of one base subject is the thread; the others are
    // its children, in date order (no grandchildren).
    uint32_t root = kNone;
    for (size_t k = 0; k < order.size(); ++k) {
      uint32_t node = add(order[k]);
      if (k > 0 && messages_[order[k]].subject == messages_[order[k - 1]].subject) {
        forest_.nodes[root].children.push_back(node);
      } else {
        root = node;
        forest_.roots.push_back(node);
      }
    }
    sort_by_date(forest_.roots);
    return std::move(forest_);
  }

 private:
  bool is_dummy(uint32_t node) const {
    return forest_.nodes[node].message == ThreadForest::kNoMessage;
  }

  // True when `node` is `ancestor` or below it. A node without children has nothing
  // below it, and that is the common case (the message being linked is new), so a chain
  // of replies in arrival order costs no walk up its whole length per message.
  bool within(uint32_t node, uint32_t ancestor) const {
    if (forest_.nodes[ancestor].children.empty()) return node == ancestor;
    for (uint32_t at = node; at != kNone; at = parent_[at])
      if (at == ancestor) return true;
    return false;
  }

  void link(uint32_t parent, uint32_t child) {
    parent_[child] = parent;
    forest_.nodes[parent].children.push_back(child);
  }

  void unlink(uint32_t child) {
    auto& siblings = forest_.nodes[parent_[child]].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    parent_[child] = kNone;
  }

  uint32_t node_for(std::string_view id) {
    auto [it, inserted] = by_id_.try_emplace(id, 0);
    if (inserted) it->second = add(ThreadForest::kNoMessage);
    return it->second;
  }

  // Step (1) for each message in mailbox order.
  void link_by_references() {
    for (uint32_t m = 0; m < messages_.size(); ++m) {
      const ThreadInput& in = messages_[m];
      uint32_t self = kNone;
      if (!in.message_id.empty()) {
        auto it = by_id_.find(in.message_id);
        if (it == by_id_.end()) {
          self = add(m);
          by_id_.emplace(in.message_id, self);
        } else if (is_dummy(it->second)) {
          self = it->second;  // a reference to it came first
          forest_.nodes[self].message = m;
        }
      }
      // No Message-ID, or one an earlier message has: a unique id of its own.
      if (self == kNone) self = add(m);
      // (A) each reference the parent of the next, unless linked already or a loop.
      uint32_t previous = kNone;
      for (std::string_view rest = in.references; !rest.empty();) {
        const size_t space = rest.find(' ');
        const std::string_view reference = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        if (reference.empty()) continue;
        uint32_t current = node_for(reference);
        if (previous != kNone && parent_[current] == kNone && !within(previous, current))
          link(previous, current);
        previous = current;
      }
      // (B) the last reference is the parent, replacing what (A) may have linked.
      if (parent_[self] != kNone) unlink(self);
      if (previous != kNone && !within(previous, self)) link(previous, self);
    }
  }

  // Step (3): dummies go; their children take their place, but only a lone child rises
  // to the top level.
  void prune_dummies() {
    std::vector<uint32_t> order = pre_order(forest_);
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      auto& children = forest_.nodes[*it].children;
      std::vector<uint32_t> kept;
      for (uint32_t child : children) {
        if (is_dummy(child)) {
          const auto& grandchildren = forest_.nodes[child].children;
          kept.insert(kept.end(), grandchildren.begin(), grandchildren.end());
          forest_.nodes[child].children.clear();
        } else {
          kept.push_back(child);
        }
      }
      children = std::move(kept);
    }
    std::vector<uint32_t> roots;
    for (uint32_t root : forest_.roots) {
      Node& node = forest_.nodes[root];
      if (node.message != ThreadForest::kNoMessage || node.children.size() > 1)
        roots.push_back(root);
      else if (node.children.size() == 1)
        roots.push_back(node.children.front());
    }
    forest_.roots = std::move(roots);
  }

  // A node's message, or a dummy's first child's (dummies hold messages only).
  const ThreadInput* first_message(uint32_t node) const {
    const Node& n = forest_.nodes[node];
    if (n.message != ThreadForest::kNoMessage) return &messages_[n.message];
    if (n.children.empty() || is_dummy(n.children.front())) return nullptr;
    return &messages_[forest_.nodes[n.children.front()].message];
  }

  std::string_view thread_subject(uint32_t node) const {
    const ThreadInput* first = first_message(node);
    return first ? std::string_view(first->subject) : std::string_view();
  }

  bool is_reply(uint32_t node) const {
    return !is_dummy(node) && messages_[forest_.nodes[node].message].reply_or_forward;
  }

  // Step (5): threads with one base subject come together.
  void merge_by_subject() {
    std::unordered_map<std::string_view, uint32_t> table;
    for (uint32_t root : forest_.roots) {
      std::string_view subject = thread_subject(root);
      if (subject.empty()) continue;
      auto [it, inserted] = table.try_emplace(subject, root);
      if (inserted) continue;
      uint32_t held = it->second;
      if (!is_dummy(held) && (is_dummy(root) || (is_reply(held) && !is_reply(root))))
        it->second = root;
    }
    std::vector<uint32_t>& roots = forest_.roots;
    std::unordered_map<uint32_t, size_t> position;
    for (size_t k = 0; k < roots.size(); ++k) position[roots[k]] = k;
    for (size_t k = 0; k < roots.size(); ++k) {
      uint32_t current = roots[k];
      if (current == kNone) continue;
      std::string_view subject = thread_subject(current);
      if (subject.empty()) continue;
      uint32_t held = table.at(subject);
      if (held == current) continue;
      if (is_dummy(held) && is_dummy(current)) {
        auto& moved = forest_.nodes[current].children;
        auto& into = forest_.nodes[held].children;
        into.insert(into.end(), moved.begin(), moved.end());
        moved.clear();
      } else if (is_dummy(held) || (is_reply(current) && !is_reply(held))) {
        forest_.nodes[held].children.push_back(current);
      } else {
        uint32_t dummy = add(ThreadForest::kNoMessage);
        forest_.nodes[dummy].children = {held, current};
        size_t at = position.at(held);
        roots[at] = dummy;
        position[dummy] = at;
        table[subject] = dummy;
      }
      roots[k] = kNone;
    }
    roots.erase(std::remove(roots.begin(), roots.end(), kNone), roots.end());
  }

  std::span<const ThreadInput> messages_;
  ThreadForest forest_;
  std::vector<uint32_t> parent_;
  std::unordered_map<std::string_view, uint32_t> by_id_;
};

}  // namespace

ThreadForest thread_ordered_subject(std::span<const ThreadInput> messages) {
  return Threader(messages).ordered_subject();
}

ThreadForest thread_by_references(std::span<const ThreadInput> messages) {
  return Threader(messages).by_references();
}

struct ThreadCacheAccess {
  // Copies the inputs the cache has into `inputs`; returns the indexes it lacks.
  static std::vector<uint32_t> fill(const ThreadCache& cache,
                                    std::span<const store::MessageRecord* const> messages,
                                    std::vector<ThreadInput>& inputs) {
    std::vector<uint32_t> missing;
    size_t at = 0;
    for (uint32_t i = 0; i < messages.size(); ++i) {
      const Uid uid = messages[i]->uid;
      while (at < cache.uids_.size() && cache.uids_[at] < uid) ++at;
      if (at < cache.uids_.size() && cache.uids_[at] == uid)
        inputs[i] = cache.inputs_[at];
      else
        missing.push_back(i);
    }
    return missing;
  }

  // Adds the inputs of `added` (ascending indexes), the first of them as far as max_bytes
  // allows: a mailbox larger than the cache still has that many read only once.
  static void add(ThreadCache& cache, std::span<const store::MessageRecord* const> messages,
                  const std::vector<ThreadInput>& inputs, std::span<const uint32_t> added) {
    size_t bytes = 0, fit = 0;
    for (uint32_t i : added) {
      const size_t one = sizeof(Uid) + sizeof(ThreadInput) + inputs[i].subject.size() +
                         inputs[i].message_id.size() + inputs[i].references.size();
      if (cache.bytes_ + bytes + one > cache.max_bytes_) break;
      bytes += one;
      ++fit;
    }
    added = added.first(fit);
    if (added.empty()) return;
    cache.bytes_ += bytes;
    std::vector<Uid> uids;
    std::vector<ThreadInput> kept;
    uids.reserve(cache.uids_.size() + added.size());
    kept.reserve(cache.uids_.size() + added.size());
    size_t old = 0;
    for (uint32_t i : added) {
      const Uid uid = messages[i]->uid;
      for (; old < cache.uids_.size() && cache.uids_[old] < uid; ++old) {
        uids.push_back(cache.uids_[old]);
        kept.push_back(std::move(cache.inputs_[old]));
      }
      uids.push_back(uid);
      kept.push_back(inputs[i]);
    }
    for (; old < cache.uids_.size(); ++old) {
      uids.push_back(cache.uids_[old]);
      kept.push_back(std::move(cache.inputs_[old]));
    }
    cache.uids_ = std::move(uids);
    cache.inputs_ = std::move(kept);
  }
};

Result<ThreadForest> thread_messages(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                                     std::span<const store::MessageRecord* const> messages,
                                     ThreadAlgorithm algorithm, ThreadCache* cache) {
  // With a cache every input is read whole, so that either algorithm can use it later.
  const bool references = algorithm == ThreadAlgorithm::references || cache != nullptr;
  std::vector<ThreadInput> inputs(messages.size());
  std::vector<uint32_t> missing;
  if (cache) {
    missing = ThreadCacheAccess::fill(*cache, messages, inputs);
  } else {
    missing.resize(messages.size());
    std::iota(missing.begin(), missing.end(), 0u);
  }
  std::vector<const store::MessageRecord*> reading;
  reading.reserve(missing.size());
  for (uint32_t i : missing) reading.push_back(messages[i]);
  POSTAMT_TRY(walk_headers(
      store, blobs, mailbox, reading, references ? NeedReferences::yes : NeedReferences::no,
      [&](size_t j, const WalkedHeader& walked) {
        const uint32_t i = missing[j];
        const store::MessageRecord& record = *messages[i];
        ThreadInput& in = inputs[i];
        in.sent = sent_date(walked.header, std::chrono::duration_cast<std::chrono::seconds>(
                                               record.internal_date.time_since_epoch())
                                               .count());
        if (const mime::HeaderField* subject = walked.header.find_first("Subject")) {
          BaseSubject base = base_subject(subject->raw_value(walked.header.buffer()));
          in.subject = casemap_key(base.text);
          in.reply_or_forward = base.reply_or_forward;
        }
        if (references) {
          in.message_id = record.message_id;
          in.references = std::string(walked.thread_refs);
        }
      }));
  if (cache) ThreadCacheAccess::add(*cache, messages, inputs, missing);
  return algorithm == ThreadAlgorithm::references ? thread_by_references(inputs)
                                                  : thread_ordered_subject(inputs);
}

}  // namespace postamt::mail
