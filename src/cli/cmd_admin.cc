// cbit admin TABLE list|add|rm: the lookup tables (admin credentials for add
// and rm; docs/protocol.md, "Collections").
#include "cli/app.h"
#include "cli/job_view.h"

namespace cbit::cli {
namespace {

struct Table {
  const char* name;
  const char* path;
  std::vector<const char*> add_fields;  // form fields of `add`, in argument order
  std::size_t required;                 // how many of them must be given
};

const std::vector<Table>& Tables() {
  static const std::vector<Table> tables = {
      {"arch", "/arch", {"name"}, 1},
      {"dist", "/dist", {"name"}, 1},
      {"suite", "/suite", {"name"}, 1},
      {"format", "/format", {"name"}, 1},
      {"env", "/env", {"name"}, 1},
      {"suitearch", "/suitearch", {"suite", "arch", "master_weight"}, 2},
      {"envsuitearch", "/buildenv_suitearch", {"buildenv", "suitearch_id"}, 2},
      {"blacklist", "/blacklist", {"field", "regex"}, 2},
  };
  return tables;
}

std::string Text(const nlohmann::json& o, const char* key) {
  if (!o.is_object() || !o.contains(key)) return "-";
  const auto& v = o[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("name") && v["name"].is_string())
    return v["name"].get<std::string>();
  if (v.is_object() && v.contains("id")) return "#" + v["id"].dump();
  return v.dump();
}

ExitCode List(Context& ctx, const Table& t) {
  std::string body = ctx.controller().Get(t.path);
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  std::vector<std::string> headers = {"ID"};
  std::vector<const char*> keys = {"name"};
  if (std::string(t.name) == "suitearch") keys = {"suite", "arch", "master_weight"};
  if (std::string(t.name) == "envsuitearch") keys = {"buildenv", "suitearch"};
  if (std::string(t.name) == "blacklist") keys = {"field", "regex"};
  for (const char* k : keys) headers.push_back(k);
  std::vector<std::vector<std::string>> rows;
  for (const auto& o : ParseList(body, std::string("GET ") + t.path)) {
    if (ctx.quiet) {
      ctx.io.out << Text(o, "id") << "\n";
      continue;
    }
    std::vector<std::string> row = {Text(o, "id")};
    for (const char* k : keys) row.push_back(Text(o, k));
    rows.push_back(std::move(row));
  }
  for (auto& h : headers) std::transform(h.begin(), h.end(), h.begin(), ::toupper);
  if (!ctx.quiet) ctx.io.out << RenderTable(headers, rows, ctx.style());
  return ExitCode::kOk;
}

ExitCode Add(Context& ctx, const Table& t, const std::vector<std::string>& args) {
  if (args.size() < t.required || args.size() > t.add_fields.size()) {
    std::string usage;
    for (const char* f : t.add_fields) usage += std::string(" ") + f;
    throw CliError(ExitCode::kUsage, std::string("admin ") + t.name + " add:" + usage);
  }
  Form form;
  for (std::size_t i = 0; i < args.size(); ++i) form.emplace_back(t.add_fields[i], args[i]);
  std::string body = ctx.controller().Post(t.path, form);
  ctx.io.out << (ctx.json ? body : "added " + Text(ParseAnswer(body, t.path), "id")) << "\n";
  return ExitCode::kOk;
}

// `rm` takes ids, or names for the tables that have them.
ExitCode Remove(Context& ctx, const Table& t, const std::vector<std::string>& args) {
  if (args.empty()) throw CliError(ExitCode::kUsage, std::string("admin ") + t.name + " rm ID…");
  for (const auto& a : args) {
    std::string id = a;
    if (a.find_first_not_of("0123456789") != std::string::npos) {
      id.clear();
      for (const auto& o : ParseAnswer(ctx.controller().Get(t.path), t.path))
        if (Text(o, "name") == a) id = Text(o, "id");
      if (id.empty())
        throw CliError(ExitCode::kNotFound, std::string(t.name) + " '" + a + "' not found");
    }
    ctx.controller().Delete(std::string(t.path) + "/" + id);
    ctx.io.out << "removed " << t.name << " " << a << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

void AddAdminCommands(CLI::App& app, Context& ctx) {
  CLI::App* admin =
      app.add_subcommand("admin", "the lookup tables: list, add, rm (admin credentials)");
  admin->require_subcommand(1);
  for (const Table& t : Tables()) {
    CLI::App* table = admin->add_subcommand(t.name, std::string("the ") + t.path + " table");
    table->require_subcommand(1);
    std::string fields;
    for (const char* f : t.add_fields) fields += std::string(" ") + f;
    auto args = std::make_shared<std::vector<std::string>>();
    table->add_subcommand("list", "list the rows")->callback([&ctx, &t] {
      ctx.action = [&ctx, &t] { return List(ctx, t); };
    });
    CLI::App* add = table->add_subcommand("add", "add a row:" + fields);
    add->add_option("FIELDS", *args, fields);
    add->callback(
        [&ctx, &t, args] { ctx.action = [&ctx, &t, args] { return Add(ctx, t, *args); }; });
    CLI::App* rm = table->add_subcommand("rm", "remove rows by id (or name)");
    rm->add_option("ID", *args, "ids or names");
    rm->callback(
        [&ctx, &t, args] { ctx.action = [&ctx, &t, args] { return Remove(ctx, t, *args); }; });
  }
}

}  // namespace cbit::cli
