# costwise_library(NAME SOURCES ... DEPS ...): one static library per folder of src/, with src/ as
# the include root so that includes read "core/money.h", "ingest/csv_reader.h", ...
function(costwise_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(costwise_${name} STATIC ${ARG_SOURCES})
  target_include_directories(costwise_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(costwise_${name} PUBLIC ${ARG_DEPS})
  add_library(costwise::${name} ALIAS costwise_${name})
endfunction()
