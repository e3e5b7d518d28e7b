#pragma once
// What a piece of code writes on stderr (the daemon's log goes there), captured through a
// temporary file for the duration of `write`.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace sonoria::test {

template <typename Write>
std::string stderr_of(Write write) {
  std::fflush(stderr);
  char path[] = "/tmp/sonoria-stderr-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  write();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(file);
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  ::unlink(path);
  return out.str();
}

}  // namespace sonoria::test
