// cbit completion bash: the bash completion script, printed by the binary so
// it always matches its subcommands. Job ids and lookup names come from the
// controller when completing (cbit -q jobs, cbit admin TABLE list).
#include "cli/app.h"

namespace cbit::cli {
namespace {

constexpr const char* kBash =
    R"BASH(# bash completion for cbit; install: cbit completion bash > /etc/bash_completion.d/cbit
_cbit_lookup() {  # the names of a lookup table, from the controller
  cbit --no-colour admin "$1" list 2>/dev/null | awk 'NR > 1 { print $2 }'
}
_cbit() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local subs="login logout submit jobs show history log cancel retry clients admin watch completion"
  local tables="arch dist suite format env suitearch envsuitearch blacklist"
  local sub="" table="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --url) ((i++)) ;;
      -*) ;;
      *) if [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; elif [[ $sub == admin && -z $table ]]; then table=${COMP_WORDS[i]}; fi ;;
    esac
  done
  case $prev in
    --status) COMPREPLY=($(compgen -W "Waiting Blocked Building Done Uploaded Failed Cancelled" -- "$cur")); return ;;
    --arch | --suite | --format) COMPREPLY=($(compgen -W "$(_cbit_lookup "${prev#--}")" -- "$cur")); return ;;
    --dist) COMPREPLY=($(compgen -W "$(_cbit_lookup dist)" -- "$cur")); return ;;
    --client) COMPREPLY=($(compgen -W "$(cbit -q clients 2>/dev/null)" -- "$cur")); return ;;
    --url | --package | --version | --uri | --vcs-id | --page | --attempt | --poll-ms | --give-up | --user | --since) return ;;
  esac
  if [[ -z $sub ]]; then
    COMPREPLY=($(compgen -W "$subs --url --json -q --quiet --no-colour --help" -- "$cur"))
    return
  fi
  local opts="--help"
  case $sub in
    submit) opts+=" --package --version --suite --arch --dist --format --method --uri --vcs-id --wait --poll-ms" ;;
    jobs) opts+=" --status --package --arch --suite --dist --client --version --since --page --all" ;;
    log) opts+=" --follow --attempt --give-up" ;;
    cancel) opts+=" --package --all" ;;
    watch) opts+=" --all --poll-ms" ;;
    login) opts+=" --user" ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  case $sub in
    show | history | log | cancel | retry | watch) COMPREPLY=($(compgen -W "$(cbit -q jobs 2>/dev/null)" -- "$cur")) ;;
    submit) COMPREPLY=($(compgen -f -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
    admin)
      if [[ -z $table ]]; then COMPREPLY=($(compgen -W "$tables" -- "$cur"))
      elif [[ ${COMP_WORDS[COMP_CWORD-1]} == "$table" ]]; then COMPREPLY=($(compgen -W "list add rm" -- "$cur"))
      elif [[ ${COMP_WORDS[COMP_CWORD-1]} == rm && " arch dist suite format env " == *" $table "* ]]; then
        COMPREPLY=($(compgen -W "$(_cbit_lookup "$table")" -- "$cur"))
      elif [[ ${COMP_WORDS[COMP_CWORD-1]} == rm ]]; then COMPREPLY=($(compgen -W "$(cbit -q admin "$table" list 2>/dev/null)" -- "$cur"))
      fi ;;
  esac
}
complete -F _cbit cbit
)BASH";

}  // namespace

void AddCompletionCommand(CLI::App& app, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  CLI::App* c = app.add_subcommand(
      "completion",
      "print the bash completion script (cbit completion bash > /etc/bash_completion.d/cbit)");
  c->add_option("SHELL", *shell, "bash")->required()->check(CLI::IsMember({"bash"}));
  c->callback([&ctx] {
    ctx.action = [&ctx] {
      ctx.io.out << kBash;
      return ExitCode::kOk;
    };
  });
}

}  // namespace cbit::cli
