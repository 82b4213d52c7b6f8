# Writes and installs modelseal.pc at install time, so that its prefix is the
# one installed to (`cmake --install --prefix`, or /usr inside a package)
# rather than the one configured. Included from an install(CODE) rule, which
# sets MODELSEAL_PC_TEMPLATE, MODELSEAL_PC_OUTPUT, MODELSEAL_PC_LIBDIR_REL,
# MODELSEAL_PC_INCLUDEDIR_REL, MODELSEAL_PC_REQUIRES, MODELSEAL_PC_LIBS and
# PROJECT_VERSION.
set(MODELSEAL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${MODELSEAL_PC_${kind}_REL}")
    set(MODELSEAL_PC_${kind} "${MODELSEAL_PC_${kind}_REL}")
  else()
    set(MODELSEAL_PC_${kind} "\${prefix}/${MODELSEAL_PC_${kind}_REL}")
  endif()
endforeach()
configure_file("${MODELSEAL_PC_TEMPLATE}" "${MODELSEAL_PC_OUTPUT}" @ONLY)
if(IS_ABSOLUTE "${MODELSEAL_PC_LIBDIR_REL}")
  set(destination "${MODELSEAL_PC_LIBDIR_REL}/pkgconfig")
else()
  set(destination "${CMAKE_INSTALL_PREFIX}/${MODELSEAL_PC_LIBDIR_REL}/pkgconfig")
endif()
file(INSTALL DESTINATION "${destination}" TYPE FILE FILES "${MODELSEAL_PC_OUTPUT}")
