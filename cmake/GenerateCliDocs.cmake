# Runs the built modelseal binary's hidden generators and writes the man page
# and the bash, zsh and fish completion scripts (cmake -P, from
# cli/CMakeLists.txt). A generator that fails or prints nothing fails the
# build.
#   -DMODELSEAL=<binary> -DMAN_PAGE=<file> -DBASH_COMPLETION=<file>
#   -DZSH_COMPLETION=<file> -DFISH_COMPLETION=<file>
function(modelseal_generate output)
  get_filename_component(directory "${output}" DIRECTORY)
  file(MAKE_DIRECTORY "${directory}")
  execute_process(
    COMMAND "${MODELSEAL}" ${ARGN}
    OUTPUT_FILE "${output}.tmp"
    RESULT_VARIABLE result)
  file(SIZE "${output}.tmp" size)
  if(NOT result EQUAL 0 OR size EQUAL 0)
    file(REMOVE "${output}.tmp")
    message(FATAL_ERROR "modelseal ${ARGN} failed (${result})")
  endif()
  file(RENAME "${output}.tmp" "${output}")
endfunction()

modelseal_generate("${MAN_PAGE}" man)
modelseal_generate("${BASH_COMPLETION}" completion bash)
modelseal_generate("${ZSH_COMPLETION}" completion zsh)
modelseal_generate("${FISH_COMPLETION}" completion fish)
