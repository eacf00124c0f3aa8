#include "common/piece_bytes.h"

#include <gtest/gtest.h>

#include <string>

namespace ie {
namespace {

TEST(PieceBytes, BytesFromOnePieceAreAViewIntoItNotACopy) {
  const std::string piece = "whole body";
  PieceBytes bytes;
  bytes.add(piece);
  EXPECT_EQ(bytes.view().data(), piece.data());
  EXPECT_EQ(bytes.view(), "whole body");
}

TEST(PieceBytes, KeepCopiesTheViewSoThePieceCanBeReused) {
  std::string piece = "first";
  PieceBytes bytes;
  bytes.add(piece);
  bytes.keep();
  piece.assign("#####");  // what a stale view would now see
  EXPECT_NE(bytes.view().data(), piece.data());
  EXPECT_EQ(bytes.view(), "first");
}

TEST(PieceBytes, BytesFromSeveralPiecesAreJoinedInOrder) {
  std::string piece = "ab";
  PieceBytes bytes;
  bytes.add(piece);
  bytes.keep();
  piece.assign("cd");
  bytes.add(piece);
  bytes.append_copy("ef");
  EXPECT_EQ(bytes.view(), "abcdef");
  EXPECT_EQ(bytes.size(), 6u);
}

TEST(PieceBytes, AnEmptyFirstPieceStillJoinsWithWhatFollows) {
  PieceBytes bytes;
  bytes.add("");
  bytes.append_copy("\n");
  bytes.add("x");
  EXPECT_EQ(bytes.view(), "\nx");
}

TEST(PieceBytes, ClearForgetsEverythingAndTheNextPieceIsBorrowedAgain) {
  PieceBytes bytes;
  bytes.append_copy("old");
  bytes.clear();
  EXPECT_EQ(bytes.size(), 0u);
  const std::string piece = "new";
  bytes.add(piece);
  EXPECT_EQ(bytes.view().data(), piece.data());
}

}  // namespace
}  // namespace ie
