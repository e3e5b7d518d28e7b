#include "tests/support/run_command.hpp"

#include "tests/support/test_secrets.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace sonoria::test {

std::string sonoria_binary() {
  if (const char* b = std::getenv("SONORIA_BINARY")) return b;
  throw std::runtime_error("SONORIA_BINARY is not set (run the tests through ctest)");
}

CommandResult run_sonoria(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  return run_sonoria(args, env, std::nullopt);
}

CommandResult run_sonoria(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                          const std::optional<std::string>& input) {
  std::string binary = sonoria_binary();
  // What the command reads: `input` from a temporary file (no pipe to keep fed), else nothing.
  std::FILE* input_file = nullptr;
  if (input) {
    input_file = std::tmpfile();
    if (!input_file || std::fwrite(input->data(), 1, input->size(), input_file) != input->size())
      throw std::runtime_error("cannot write the command's input");
    std::fflush(input_file);
    std::rewind(input_file);
  }
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) || pipe(err_pipe)) throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  if (!env.count("PATH")) env_strings.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    dup2(input_file ? fileno(input_file) : open("/dev/null", O_RDONLY), 0);
    close(out_pipe[0]);
    close(err_pipe[0]);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (input_file) std::fclose(input_file);
  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // Whatever the test checks, what sonoria printed carries none of the secrets it was given.
  const std::string leaked = secret_in(result.out + result.err);
  std::string command;
  for (const auto& a : args) command += " " + a;
  CHECK_MESSAGE(leaked.empty(), "`sonoria" << command << "` printed the test secret \"" << leaked << "\"");
  return result;
}

}  // namespace sonoria::test
