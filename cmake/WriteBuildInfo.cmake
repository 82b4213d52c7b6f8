# Writes the build identity source (cli/version.h) for the modelseal binary.
# Run on every build (cmake -P); configure_file rewrites OUTPUT only when its
# text changes, so an unchanged commit does not relink anything.
#   -DSOURCE_DIR=<tree> -DTEMPLATE=<.cc.in> -DOUTPUT=<.cc>
#   -DMODELSEAL_VERSION=<x.y.z> [-DMODELSEAL_COMMIT=<override>]
if(NOT MODELSEAL_COMMIT)
  set(MODELSEAL_COMMIT "unknown")
  # Only this tree's own repository: a tarball unpacked inside some other
  # checkout must not report that checkout's commit.
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
    # --no-optional-locks: describe --dirty must not refresh (write) the index
    # of a tree someone may be working in.
    execute_process(
      COMMAND "${GIT_EXECUTABLE}" --no-optional-locks describe --always --dirty
      WORKING_DIRECTORY "${SOURCE_DIR}"
      OUTPUT_VARIABLE described
      ERROR_QUIET
      RESULT_VARIABLE described_result
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(described_result EQUAL 0 AND described MATCHES "^[A-Za-z0-9._+-]+$")
      set(MODELSEAL_COMMIT "${described}")
    endif()
  endif()
endif()
if(NOT MODELSEAL_COMMIT MATCHES "^[A-Za-z0-9._+-]+$")
  message(FATAL_ERROR "MODELSEAL_COMMIT '${MODELSEAL_COMMIT}' is not a plain word")
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
