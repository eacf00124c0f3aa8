#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace ie {
namespace {

std::string name_seen_by(const std::string& requested) {
  std::string seen;
  std::thread t([&] {
    name_this_thread(requested);
    char buffer[64] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    seen = buffer;
  });
  t.join();
  return seen;
}

TEST(ThreadName, TheThreadCarriesTheNameItGaveItself) {
  EXPECT_EQ(name_seen_by("ie-worker-3"), "ie-worker-3");
}

TEST(ThreadName, ANameLongerThanLinuxKeepsIsCutTo15Characters) {
  EXPECT_EQ(name_seen_by("ie-trace-status-extra"), "ie-trace-status");
}

}  // namespace
}  // namespace ie
