#pragma once
// Bytes gathered from the pieces of a stream (the reads of one response), without copying them in the usual
// case where they all lie in one piece: the first bytes added are borrowed as a view into the caller's piece,
// and copied into owned storage only when more bytes join them or when keep() is called because that piece
// is about to be reused. Clearing keeps the owned capacity, so a reused PieceBytes stops allocating.

#include <string>
#include <string_view>

namespace ie {

class PieceBytes {
 public:
  // Adds bytes that stay valid until the next keep() or clear(): borrowed when nothing is held yet.
  void add(std::string_view piece) {
    if (view_.empty() && !borrowed_) {
      view_ = piece;
      borrowed_ = true;
      return;
    }
    append_copy(piece);
  }
  // Adds bytes that may not outlive this call.
  void append_copy(std::string_view bytes) {
    keep();
    owned_.append(bytes);
    view_ = owned_;
  }
  // Makes a borrowed view owned: call before the piece it points into is overwritten.
  void keep() {
    if (!borrowed_) return;
    owned_.assign(view_);
    view_ = owned_;
    borrowed_ = false;
  }
  void clear() {
    owned_.clear();
    view_ = {};
    borrowed_ = false;
  }
  void reserve(size_t bytes) { owned_.reserve(bytes); }

  std::string_view view() const { return view_; }
  size_t size() const { return view_.size(); }

 private:
  std::string owned_;
  std::string_view view_;  // all the bytes held: into owned_, or into the caller's piece when borrowed_
  bool borrowed_ = false;
};

}  // namespace ie
