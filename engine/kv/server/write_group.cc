// Copyright (c) wtrocks authors.
#include "engine/kv/server/write_group.h"

#include <algorithm>

namespace wtrocks::kv::server {

void WriteGroup::Put(const rocksdb::Slice& key, const rocksdb::Slice& value) {
  ops_.push_back(Op{Kind::kPut, key.ToString(), value.ToString()});
  if (cache_ != nullptr) cache_->Erase(ops_.back().key);
  if (watches_ != nullptr) watches_->Touch(ops_.back().key);
  bytes_ += key.size() + value.size();
}

bool WriteGroup::Latest(const rocksdb::Slice& key, std::string* value,
                        bool* deleted) const {
  for (auto op = ops_.rbegin(); op != ops_.rend(); ++op) {
    if (op->kind == Kind::kDeleteRange) {
      if (key.compare(op->key) >= 0 && key.compare(op->value) < 0) {
        *deleted = true;
        return true;
      }
    } else if (key == rocksdb::Slice(op->key)) {
      *deleted = op->kind == Kind::kDelete;
      if (!*deleted) *value = op->value;
      return true;
    }
  }
  return false;
}

void WriteGroup::Delete(const rocksdb::Slice& key) {
  ops_.push_back(Op{Kind::kDelete, key.ToString(), {}});
  if (cache_ != nullptr) cache_->Erase(ops_.back().key);
  if (watches_ != nullptr) watches_->Touch(ops_.back().key);
  bytes_ += key.size();
}

void WriteGroup::DeleteRange(const rocksdb::Slice& begin,
                             const rocksdb::Slice& end) {
  ops_.push_back(Op{Kind::kDeleteRange, begin.ToString(), end.ToString()});
  if (cache_ != nullptr) cache_->Clear();
  if (watches_ != nullptr) watches_->TouchAll();
  bytes_ += begin.size() + end.size();
  has_range_ = true;
}

void WriteGroup::Build(rocksdb::WriteBatch* batch) {
  if (!has_range_) {
    std::stable_sort(ops_.begin(), ops_.end(),
                     [](const Op& a, const Op& b) { return a.key < b.key; });
  }
  for (const Op& op : ops_) {
    switch (op.kind) {
      case Kind::kPut:
        batch->Put(op.key, op.value);
        break;
      case Kind::kDelete:
        batch->Delete(op.key);
        break;
      case Kind::kDeleteRange:
        batch->DeleteRange(op.key, op.value);
        break;
    }
  }
}

void WriteGroup::Truncate(size_t n) {
  if (n >= ops_.size()) return;
  ops_.resize(n);
  bytes_ = 0;
  has_range_ = false;
  for (const Op& op : ops_) {
    bytes_ += op.key.size() + op.value.size();
    has_range_ = has_range_ || op.kind == Kind::kDeleteRange;
  }
}

void WriteGroup::Clear() {
  ops_.clear();
  bytes_ = 0;
  has_range_ = false;
}

}  // namespace wtrocks::kv::server
