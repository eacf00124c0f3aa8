#pragma once
// Names the calling thread ("ie-worker-3"), so `top -H`, `perf` and gdb tell the client's threads apart.
// Linux keeps 15 characters: longer names are cut.

#include <pthread.h>

#include <string>

namespace ie {

inline void name_this_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace ie
