// Man page and completion generators over the CLI11 app (see docgen.h).
//
// The app is first read into a plain tree (CommandDoc), so each output format
// is a printer of that tree and none of them touches CLI11 internals.
#include "cli/docgen.h"

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "cli/common.h"
#include "cli/version.h"

namespace modelseal::cli {
namespace {

struct OptionDoc {
  std::vector<std::string> short_names;  // "-q"
  std::vector<std::string> long_names;   // "--quiet"
  std::string description;
  std::string value_type;  // "TEXT", "UINT"; empty for a flag
  std::vector<std::string> choices;
  bool repeatable = false;
  bool required = false;

  bool TakesValue() const { return !value_type.empty(); }
  std::vector<std::string> AllNames() const {
    std::vector<std::string> names = short_names;
    names.insert(names.end(), long_names.begin(), long_names.end());
    return names;
  }
};

struct PositionalDoc {
  std::string name;
  std::string description;
  bool required = false;
  bool many = false;
};

struct CommandDoc {
  std::vector<std::string> path;  // {"modelseal", "log", "prove"}
  std::string description;
  std::vector<OptionDoc> options;
  std::vector<PositionalDoc> positionals;
  std::vector<CommandDoc> subcommands;

  std::string Name() const { return absl::StrJoin(path, " "); }
  // "log prove"; empty for the root.
  std::string PathBelowRoot() const {
    return absl::StrJoin(path.begin() + 1, path.end(), " ");
  }
  // "_modelseal__log__prove", a shell-safe function name.
  std::string FunctionName() const {
    std::string name = absl::StrCat("_", absl::StrJoin(path, "__"));
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    return name;
  }
};

bool Hidden(const CLI::App& command) { return command.get_group().empty(); }

// CLI11 renders an option's type and validators as one string, e.g.
// "UINT:UINT in [1 - 256]" or "TEXT:{text,json}". The first field is the value
// type; a "{a,b}" field comes from CLI::IsMember and lists the choices.
void ReadValueType(const CLI::Option& option, OptionDoc& doc) {
  const std::vector<std::string> fields =
      absl::StrSplit(option.get_type_name(), ':');
  doc.value_type = fields.empty() || fields[0].empty() ? "VALUE" : fields[0];
  for (std::size_t i = 1; i < fields.size(); ++i) {
    absl::string_view field = fields[i];
    if (!absl::ConsumePrefix(&field, "{") || !absl::ConsumeSuffix(&field, "}"))
      continue;
    std::vector<std::string> choices = absl::StrSplit(field, ',');
    bool plain = !choices.empty();
    for (const std::string& choice : choices) {
      plain = plain && !choice.empty() &&
              choice.find_first_of(" \t'\"\\$`") == std::string::npos;
    }
    if (plain) doc.choices = std::move(choices);
  }
}

void AddOptions(const CLI::App& app, CommandDoc& doc) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    if (!option->nonpositional()) {
      PositionalDoc positional;
      positional.name = option->get_name(true);
      positional.description = option->get_description();
      positional.required = option->get_required();
      positional.many = option->get_items_expected_max() > 1;
      doc.positionals.push_back(std::move(positional));
      continue;
    }
    OptionDoc entry;
    for (const std::string& name : option->get_snames()) {
      entry.short_names.push_back("-" + name);
    }
    for (const std::string& name : option->get_lnames()) {
      entry.long_names.push_back("--" + name);
    }
    entry.description = option->get_description();
    // A flag takes no value: CLI11 gives it a type size of zero, or (the
    // help flag) an expected count of zero.
    if (option->get_type_size_min() > 0 && option->get_expected_max() > 0) {
      ReadValueType(*option, entry);
    }
    entry.repeatable =
        entry.TakesValue() && option->get_items_expected_max() > 1;
    entry.required = option->get_required();
    doc.options.push_back(std::move(entry));
  }
  // Option groups are nameless subcommands whose options belong to `app`.
  for (const CLI::App* group : app.get_subcommands(
           [](const CLI::App* sub) { return sub->get_name().empty(); })) {
    AddOptions(*group, doc);
  }
}

CommandDoc Describe(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = std::move(path);
  doc.description = app.get_description();
  AddOptions(app, doc);
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name().empty() || Hidden(*sub)) continue;
    std::vector<std::string> sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(Describe(*sub, std::move(sub_path)));
  }
  return doc;
}

CommandDoc DescribeRoot(const CLI::App& app) {
  return Describe(app, {app.get_name().empty() ? std::string("modelseal")
                                               : app.get_name()});
}

// Every command, the root first, parents before their subcommands.
void Flatten(const CommandDoc& doc, std::vector<const CommandDoc*>& out) {
  out.push_back(&doc);
  for (const CommandDoc& sub : doc.subcommands) Flatten(sub, out);
}
std::vector<const CommandDoc*> AllCommands(const CommandDoc& root) {
  std::vector<const CommandDoc*> out;
  Flatten(root, out);
  return out;
}

// One line for a completion menu: the first sentence, at most ~100 columns.
std::string Summary(const std::string& description) {
  std::string text = description.substr(0, description.find('\n'));
  const std::size_t sentence_end = text.find(". ");
  if (sentence_end != std::string::npos) text.resize(sentence_end);
  absl::string_view view = absl::StripSuffix(text, ".");
  if (view.size() > 100) {
    std::size_t cut = view.rfind(' ', 97);
    view = view.substr(0, cut == absl::string_view::npos ? 97 : cut);
    return absl::StrCat(view, "...");
  }
  return std::string(view);
}

std::vector<std::string> SubcommandNames(const CommandDoc& doc) {
  std::vector<std::string> names;
  for (const CommandDoc& sub : doc.subcommands)
    names.push_back(sub.path.back());
  return names;
}

// ---------------------------------------------------------------- man page

// Text for roff: backslashes and minus signs escaped (so flags copy-paste as
// ASCII), and no line may start with a control character.
std::string Roff(absl::string_view text) {
  std::string escaped =
      absl::StrReplaceAll(text, {{"\\", "\\e"}, {"-", "\\-"}});
  std::vector<std::string> lines = absl::StrSplit(escaped, '\n');
  for (std::string& line : lines) {
    line = std::string(absl::StripAsciiWhitespace(line));
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      line.insert(0, "\\&");
    }
  }
  return absl::StrJoin(lines, "\n");
}

// Description lines become paragraphs separated by `separator` (.PP or .br).
std::string RoffParagraphs(absl::string_view text,
                           absl::string_view separator) {
  std::vector<std::string> paragraphs;
  for (absl::string_view line :
       absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    paragraphs.push_back(Roff(line));
  }
  return absl::StrJoin(paragraphs, absl::StrCat("\n", separator, "\n"));
}

std::string PositionalUsage(const PositionalDoc& positional) {
  std::string usage = absl::StrCat("\\fI", Roff(positional.name), "\\fR",
                                   positional.many ? "..." : "");
  return positional.required ? usage : absl::StrCat("[", usage, "]");
}

std::string Synopsis(const CommandDoc& doc) {
  std::string line = absl::StrCat("\\fB", Roff(doc.Name()), "\\fR");
  if (!doc.subcommands.empty()) {
    absl::StrAppend(&line, " \\fIcommand\\fR");
  }
  absl::StrAppend(&line, " [\\fIoptions\\fR]");
  for (const PositionalDoc& positional : doc.positionals) {
    absl::StrAppend(&line, " ", PositionalUsage(positional));
  }
  return line;
}

void AppendRoffOptions(const CommandDoc& doc, std::string& out) {
  for (const PositionalDoc& positional : doc.positionals) {
    absl::StrAppend(&out, ".TP\n", PositionalUsage(positional), "\n",
                    RoffParagraphs(positional.description, ".br"), "\n");
  }
  for (const OptionDoc& option : doc.options) {
    std::vector<std::string> names;
    for (const std::string& name : option.AllNames()) {
      names.push_back(absl::StrCat("\\fB", Roff(name), "\\fR"));
    }
    absl::StrAppend(&out, ".TP\n", absl::StrJoin(names, ", "));
    if (option.TakesValue()) {
      absl::StrAppend(&out, " \\fI", Roff(option.value_type), "\\fR",
                      option.repeatable ? "..." : "");
    }
    absl::StrAppend(&out, "\n", RoffParagraphs(option.description, ".br"),
                    "\n");
    std::vector<std::string> notes;
    if (!option.choices.empty()) {
      notes.push_back(absl::StrCat(
          "One of: ", Roff(absl::StrJoin(option.choices, ", ")), "."));
    }
    if (option.required) notes.push_back("Required.");
    if (option.repeatable) notes.push_back("Takes several values.");
    if (!notes.empty()) {
      absl::StrAppend(&out, ".br\n", absl::StrJoin(notes, " "), "\n");
    }
  }
}

// "modelseal: hash model folders, ..." -> "hash model folders, ..."
std::string NameLine(const CommandDoc& root) {
  absl::string_view line = root.description;
  line = line.substr(0, line.find('\n'));
  absl::ConsumePrefix(&line, absl::StrCat(root.path[0], ": "));
  return Roff(absl::StripSuffix(line, "."));
}

// ---------------------------------------------------------------- shells

// Single-quoted for bash and zsh.
std::string ShellQuote(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// Single-quoted for fish, which escapes \ and ' inside quotes.
std::string FishQuote(absl::string_view text) {
  return absl::StrCat(
      "'", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

// Text inside an _arguments [description] or after a _describe "name:".
std::string ZshDescription(absl::string_view text) {
  return absl::StrReplaceAll(
      Summary(std::string(text)),
      {{"\\", "\\\\"}, {"[", "\\["}, {"]", "\\]"}, {":", "\\:"}});
}

std::vector<std::string> ValuedOptionNames(const CommandDoc& doc) {
  std::vector<std::string> names;
  for (const OptionDoc& option : doc.options) {
    if (!option.TakesValue()) continue;
    for (const std::string& name : option.AllNames()) names.push_back(name);
  }
  return names;
}

std::vector<std::string> OptionNames(const CommandDoc& doc) {
  std::vector<std::string> names;
  for (const OptionDoc& option : doc.options) {
    for (const std::string& name : option.AllNames()) names.push_back(name);
  }
  return names;
}

std::string ZshOptionSpec(const OptionDoc& option, const std::string& name) {
  const bool is_long = name.size() > 2 && name[1] == '-';
  std::string spec = option.repeatable ? "*" : "";
  absl::StrAppend(&spec, name);
  if (option.TakesValue()) absl::StrAppend(&spec, is_long ? "=" : "+");
  absl::StrAppend(&spec, "[", ZshDescription(option.description), "]");
  if (option.TakesValue()) {
    const std::string action =
        option.choices.empty()
            ? "_files"
            : absl::StrCat("(", absl::StrJoin(option.choices, " "), ")");
    absl::StrAppend(&spec, ":", absl::AsciiStrToLower(option.value_type), ":",
                    action);
  }
  return ShellQuote(spec);
}

}  // namespace

std::string ManPage(const CLI::App& app, const std::string& version) {
  const CommandDoc root = DescribeRoot(app);
  const std::vector<const CommandDoc*> commands = AllCommands(root);
  std::string out = absl::StrCat(
      ".\\\" Generated by `modelseal man` from the command-line definitions.\n",
      ".TH MODELSEAL 1 \"\" \"modelseal ", Roff(version),
      "\" \"User Commands\"\n", ".nh\n.ad l\n", ".SH NAME\n", "modelseal \\- ",
      NameLine(root), "\n", ".SH SYNOPSIS\n");
  bool first = true;
  for (const CommandDoc* command : commands) {
    if (command == &root || !command->subcommands.empty()) continue;
    absl::StrAppend(&out, first ? "" : ".br\n", Synopsis(*command), "\n");
    first = false;
  }
  absl::StrAppend(&out, ".br\n\\fBmodelseal\\fR \\fB\\-\\-version\\fR\n",
                  ".SH DESCRIPTION\n", RoffParagraphs(root.description, ".PP"),
                  "\n.SH OPTIONS\n");
  AppendRoffOptions(root, out);
  absl::StrAppend(&out, ".SH COMMANDS\n",
                  "Each command has its own \\fB\\-\\-help\\fR.\n");
  for (const CommandDoc* command : commands) {
    if (command == &root) continue;
    absl::StrAppend(&out, ".SS \"", Roff(command->Name()), "\"\n",
                    Synopsis(*command), "\n.PP\n",
                    RoffParagraphs(command->description, ".PP"), "\n");
    if (!command->subcommands.empty()) {
      absl::StrAppend(&out, ".PP\nCommands: ");
      std::vector<std::string> names;
      for (const CommandDoc& sub : command->subcommands) {
        names.push_back(absl::StrCat("\\fB", Roff(sub.Name()), "\\fR"));
      }
      absl::StrAppend(&out, absl::StrJoin(names, ", "), ".\n");
    }
    AppendRoffOptions(*command, out);
  }
  absl::StrAppend(&out, ".SH \"EXIT STATUS\"\n", ".TP\n0\nSuccess.\n",
                  ".TP\n1\nVerification failed or a policy was violated.\n",
                  ".TP\n2\nUsage error.\n", ".TP\n3\nMalformed input.\n",
                  ".TP\n4\nI/O or internal error.\n", ".SH \"SEE ALSO\"\n",
                  ".BR sha256sum (1),\n.BR b3sum (1),\n.BR openssl (1)\n");
  return out;
}

std::string BashCompletion(const CLI::App& app) {
  const CommandDoc root = DescribeRoot(app);
  std::string out =
      "# bash completion for modelseal.                          -*- sh -*-\n"
      "# Generated by `modelseal completion bash` from the command-line "
      "definitions.\n\n"
      "# Sets commands, options and valued (options that take a value) for "
      "the\n# command path in $1.\n"
      "_modelseal_spec() {\n"
      "  commands='' options='' valued=''\n"
      "  case \"$1\" in\n";
  std::string choices;
  for (const CommandDoc* command : AllCommands(root)) {
    absl::StrAppend(&out, "    ", ShellQuote(command->Name()), ")\n",
                    "      commands=",
                    ShellQuote(absl::StrJoin(SubcommandNames(*command), " ")),
                    "\n      options=",
                    ShellQuote(absl::StrJoin(OptionNames(*command), " ")),
                    "\n      valued=",
                    ShellQuote(absl::StrJoin(ValuedOptionNames(*command), " ")),
                    "\n      ;;\n");
    for (const OptionDoc& option : command->options) {
      if (option.choices.empty()) continue;
      for (const std::string& name : option.AllNames()) {
        absl::StrAppend(
            &choices, "    ",
            ShellQuote(absl::StrCat(command->Name(), " ", name)),
            ") choices=", ShellQuote(absl::StrJoin(option.choices, " ")),
            " ;;\n");
      }
    }
  }
  absl::StrAppend(
      &out,
      "  esac\n}\n\n"
      "# Sets choices for option $2 of the command path $1 (empty: any "
      "value).\n"
      "_modelseal_choices() {\n"
      "  choices=''\n"
      "  case \"$1 $2\" in\n",
      choices,
      "  esac\n}\n\n"
      "_modelseal() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=modelseal pending='' "
      "word i\n"
      "  local commands options valued choices\n"
      "  [[ $cur == = ]] && cur=''\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    word=\"${COMP_WORDS[i]}\"\n"
      "    if [[ -n $pending ]]; then\n"
      "      # --option=value arrives as three words: --option, =, value.\n"
      "      [[ $word == = ]] && continue\n"
      "      pending=''\n"
      "      continue\n"
      "    fi\n"
      "    _modelseal_spec \"$path\"\n"
      "    case \"$word\" in\n"
      "      -*=*) ;;\n"
      "      -*) [[ \" $valued \" == *\" $word \"* ]] && pending=\"$word\" ;;\n"
      "      *) [[ \" $commands \" == *\" $word \"* ]] && path=\"$path $word\" "
      ";;\n"
      "    esac\n"
      "  done\n"
      "  COMPREPLY=()\n"
      "  if [[ -n $pending ]]; then\n"
      "    # A value: its choices, else file names (complete -o default).\n"
      "    _modelseal_choices \"$path\" \"$pending\"\n"
      "    [[ -n $choices ]] && COMPREPLY=($(compgen -W \"$choices\" -- "
      "\"$cur\"))\n"
      "    return 0\n"
      "  fi\n"
      "  _modelseal_spec \"$path\"\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
      "  elif [[ -n $commands ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "complete -o bashdefault -o default -F _modelseal modelseal\n");
  return out;
}

std::string ZshCompletion(const CLI::App& app) {
  const CommandDoc root = DescribeRoot(app);
  std::string out =
      "#compdef modelseal\n"
      "# zsh completion for modelseal.\n"
      "# Generated by `modelseal completion zsh` from the command-line "
      "definitions.\n";
  for (const CommandDoc* command : AllCommands(root)) {
    absl::StrAppend(&out, "\n", command->FunctionName(), "() {\n");
    std::vector<std::string> specs;
    for (const OptionDoc& option : command->options) {
      for (const std::string& name : option.AllNames()) {
        specs.push_back(ZshOptionSpec(option, name));
      }
    }
    if (command->subcommands.empty()) {
      for (const PositionalDoc& positional : command->positionals) {
        const std::string message =
            absl::StrReplaceAll(positional.name, {{":", "\\:"}, {"'", ""}});
        specs.push_back(ShellQuote(absl::StrCat(
            positional.many ? "*" : "",
            positional.required ? ":" : "::", message, ":_files")));
      }
      absl::StrAppend(&out, "  _arguments -s -S \\\n    ",
                      absl::StrJoin(specs, " \\\n    "), "\n}\n");
      continue;
    }
    specs.push_back("': :->command'");
    specs.push_back("'*:: :->argument'");
    absl::StrAppend(
        &out,
        "  local curcontext=\"$curcontext\" state state_descr "
        "line\n"
        "  typeset -A opt_args\n"
        "  _arguments -C -s -S \\\n    ",
        absl::StrJoin(specs, " \\\n    "), " && return\n",
        "  case $state in\n    command)\n      local -a commands=(\n");
    for (const CommandDoc& sub : command->subcommands) {
      absl::StrAppend(&out, "        ",
                      ShellQuote(absl::StrCat(sub.path.back(), ":",
                                              ZshDescription(sub.description))),
                      "\n");
    }
    absl::StrAppend(&out, "      )\n      _describe -t commands ",
                    ShellQuote(absl::StrCat(command->Name(), " command")),
                    " commands\n      ;;\n    argument)\n",
                    "      curcontext=\"${curcontext%:*:*}:",
                    absl::StrJoin(command->path, "-"),
                    "-$words[1]:\"\n      case $words[1] in\n");
    for (const CommandDoc& sub : command->subcommands) {
      absl::StrAppend(&out, "        ", ShellQuote(sub.path.back()), ") ",
                      sub.FunctionName(), " ;;\n");
    }
    absl::StrAppend(&out, "      esac\n      ;;\n  esac\n}\n");
  }
  absl::StrAppend(&out,
                  "\n# Loaded from fpath (autoload) or sourced.\n"
                  "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
                  "  _modelseal \"$@\"\n"
                  "else\n"
                  "  compdef _modelseal modelseal\n"
                  "fi\n");
  return out;
}

std::string FishCompletion(const CLI::App& app) {
  const CommandDoc root = DescribeRoot(app);
  const std::vector<const CommandDoc*> commands = AllCommands(root);
  std::string subcommands_cases;
  std::string valued_cases;
  for (const CommandDoc* command : commands) {
    const std::string key = FishQuote(command->PathBelowRoot());
    if (!command->subcommands.empty()) {
      absl::StrAppend(&subcommands_cases, "        case ", key,
                      "\n            printf '%s\\n' ",
                      absl::StrJoin(SubcommandNames(*command), " "), "\n");
    }
    const std::vector<std::string> valued = ValuedOptionNames(*command);
    if (!valued.empty()) {
      absl::StrAppend(&valued_cases, "        case ", key,
                      "\n            printf '%s\\n' ",
                      absl::StrJoin(valued, " "), "\n");
    }
  }
  std::string out = absl::StrCat(
      "# fish completion for modelseal.\n"
      "# Generated by `modelseal completion fish` from the command-line "
      "definitions.\n\n"
      "function __modelseal_subcommands\n"
      "    switch $argv[1]\n",
      subcommands_cases,
      "    end\nend\n\n"
      "function __modelseal_valued_options\n"
      "    switch $argv[1]\n",
      valued_cases,
      "    end\nend\n\n"
      "# The subcommand path typed so far, e.g. \"log prove\" (empty at the "
      "top).\n"
      "function __modelseal_command_path\n"
      "    set -l path\n"
      "    set -l pending 0\n"
      "    for word in (commandline -opc)[2..-1]\n"
      "        if test $pending = 1\n"
      "            set pending 0\n"
      "            continue\n"
      "        end\n"
      "        switch $word\n"
      "            case '-*=*'\n"
      "            case '-*'\n"
      "                if contains -- $word (__modelseal_valued_options "
      "\"$path\")\n"
      "                    set pending 1\n"
      "                end\n"
      "            case '*'\n"
      "                if contains -- $word (__modelseal_subcommands "
      "\"$path\")\n"
      "                    set -a path $word\n"
      "                end\n"
      "        end\n"
      "    end\n"
      "    echo \"$path\"\n"
      "end\n\n"
      "function __modelseal_at\n"
      "    set -l current (__modelseal_command_path)\n"
      "    test \"$current\" = \"$argv[1]\"\n"
      "end\n\n"
      "complete -c modelseal -e\n");
  for (const CommandDoc* command : commands) {
    const std::string condition = absl::StrCat(
        "-n ", FishQuote(absl::StrCat("__modelseal_at ",
                                      FishQuote(command->PathBelowRoot()))));
    absl::StrAppend(&out, "\n# ", command->Name(), "\n");
    if (!command->subcommands.empty()) {
      absl::StrAppend(&out, "complete -c modelseal ", condition, " -f\n");
    }
    for (const CommandDoc& sub : command->subcommands) {
      absl::StrAppend(&out, "complete -c modelseal ", condition, " -f -a ",
                      FishQuote(sub.path.back()), " -d ",
                      FishQuote(Summary(sub.description)), "\n");
    }
    for (const OptionDoc& option : command->options) {
      absl::StrAppend(&out, "complete -c modelseal ", condition);
      for (const std::string& name : option.short_names) {
        absl::StrAppend(&out, " -s ", FishQuote(name.substr(1)));
      }
      for (const std::string& name : option.long_names) {
        absl::StrAppend(&out, " -l ", FishQuote(name.substr(2)));
      }
      if (!option.choices.empty()) {
        absl::StrAppend(&out, " -x -a ",
                        FishQuote(absl::StrJoin(option.choices, " ")));
      } else if (option.TakesValue()) {
        absl::StrAppend(&out, " -r -F");
      }
      absl::StrAppend(&out, " -d ", FishQuote(Summary(option.description)),
                      "\n");
    }
  }
  return out;
}

void RegisterDocCommands(CLI::App& app, int* exit_code) {
  const auto print = [exit_code](const std::string& text) {
    std::cout << text << std::flush;
    *exit_code = std::cout ? kExitOk : kExitIoOrInternal;
  };
  CLI::App* man = app.add_subcommand(
      "man",
      "Print the modelseal(1) man page (roff), generated from the "
      "command definitions");
  man->group("");
  man->callback([&app, print] { print(ManPage(app, ModelsealVersion())); });

  CLI::App* completion =
      app.add_subcommand("completion",
                         "Print a shell completion script, generated from the "
                         "command definitions");
  completion->group("");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&app, print, shell] {
    if (*shell == "bash") print(BashCompletion(app));
    if (*shell == "zsh") print(ZshCompletion(app));
    if (*shell == "fish") print(FishCompletion(app));
  });
}

}  // namespace modelseal::cli
