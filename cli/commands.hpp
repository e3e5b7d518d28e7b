#pragma once
// One registration function per subcommand file; cli/main.cpp lists them all.

namespace CLI {
class App;
}

namespace sonoria::cli {

struct Context;

void register_init(CLI::App& app, Context& context);
void register_doctor(CLI::App& app, Context& context);
void register_chat(CLI::App& app, Context& context);
void register_config(CLI::App& app, Context& context);
void register_migrate(CLI::App& app, Context& context);
void register_org(CLI::App& app, Context& context);
void register_prompt(CLI::App& app, Context& context);
void register_serve(CLI::App& app, Context& context);
void register_sms(CLI::App& app, Context& context);
void register_call(CLI::App& app, Context& context);
void register_export(CLI::App& app, Context& context);
void register_analytics(CLI::App& app, Context& context);
void register_calls(CLI::App& app, Context& context);
void register_backup(CLI::App& app, Context& context);
void register_cleanup(CLI::App& app, Context& context);
void register_simulate(CLI::App& app, Context& context);
void register_kb(CLI::App& app, Context& context);
void register_webhooks(CLI::App& app, Context& context);
void register_appointments(CLI::App& app, Context& context);
void register_user(CLI::App& app, Context& context);
void register_complete(CLI::App& app, Context& context);
void register_db(CLI::App& app, Context& context);

}  // namespace sonoria::cli
