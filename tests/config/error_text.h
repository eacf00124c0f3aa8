#pragma once
// Test helper: run a callable that must throw ie::Error(invalid_input) and return its message.

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace ie::testing {

template <typename F>
std::string invalid_input_message(F&& f) {
  try {
    f();
  } catch (const ie::Error& error) {
    EXPECT_EQ(error.code(), ie::ExitCode::invalid_input) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "expected ie::Error(invalid_input), nothing was thrown";
  return {};
}

}  // namespace ie::testing
