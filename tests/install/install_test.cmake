# cmake -DBUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=... -DGENERATOR=... -DBUILD_TYPE=... -P install_test.cmake
# Installs the build into WORK_DIR/prefix, builds tests/install/consumer against it through
# find_package(kiln) alone, and runs the consumer (on lavapipe: ctest's environment says so).
set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${prefix}" "${consumer_build}")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}${err}")
  endif()
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

step("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(f include/kiln/context.h lib/cmake/kiln/kilnConfig.cmake bin/kiln)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "the install has no ${f}")
  endif()
endforeach()

# Only the prefix: the consumer must not see kiln's source or build tree.
step("configuring the consumer" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${consumer_build}"
     -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=${BUILD_TYPE} "-DCMAKE_PREFIX_PATH=${prefix}")
step("building the consumer" ${CMAKE_COMMAND} --build "${consumer_build}")
step("running the consumer" "${consumer_build}/app")
if(NOT step_output MATCHES "kiln consumer: device [^\n]+")
  message(FATAL_ERROR "the consumer did not print a device:\n${step_output}")
endif()
string(STRIP "${step_output}" step_output)
message(STATUS "${step_output}")

step("running the installed kiln command" "${prefix}/bin/kiln" info --json)
if(NOT step_output MATCHES "\"devices\"")
  message(FATAL_ERROR "installed `kiln info --json` printed no devices:\n${step_output}")
endif()
