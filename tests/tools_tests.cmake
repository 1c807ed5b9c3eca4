# End-to-end tests of build/xnor (its commands, the XNOR_PATH override and its errors) and of xnor-bench.
if(TARGET xnor_cli)
  add_test(NAME cli.help COMMAND xnor_cli --help)
  set_tests_properties(cli.help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor <command>")

  add_test(NAME cli.version COMMAND xnor_cli --version)
  set_tests_properties(cli.version PROPERTIES PASS_REGULAR_EXPRESSION "xnor ${PROJECT_VERSION}\ncpu path: [a-z0-9-]+ \\(supported: ")

  add_test(NAME cli.unknown_command COMMAND xnor_cli frobnicate)
  set_tests_properties(cli.unknown_command PROPERTIES WILL_FAIL TRUE)

  add_test(NAME cli.selfcheck COMMAND xnor_cli selfcheck)
  set_tests_properties(cli.selfcheck PROPERTIES PASS_REGULAR_EXPRESSION "scalar: matches the reference" FAIL_REGULAR_EXPRESSION "MISMATCH")

  add_test(NAME cli.path_forced_scalar COMMAND xnor_cli --version)
  set_tests_properties(cli.path_forced_scalar PROPERTIES ENVIRONMENT XNOR_PATH=scalar PASS_REGULAR_EXPRESSION "cpu path: scalar ")

  add_test(NAME cli.path_unknown COMMAND xnor_cli --version)
  set_tests_properties(cli.path_unknown PROPERTIES ENVIRONMENT XNOR_PATH=sse9
    PASS_REGULAR_EXPRESSION "XNOR_PATH: unknown path 'sse9' \\(choose scalar, avx2, avx512, avx512-vnni, avx512-amx, neon, neon-dotprod\\)")

  # A path of the other architecture is never compiled in, so forcing it must fail with a clear reason.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(xnor_foreign_path avx512)
  else()
    set(xnor_foreign_path neon)
  endif()
  add_test(NAME cli.save_builtin COMMAND xnor_cli save googlenet224:binary ${CMAKE_BINARY_DIR}/googlenet224-binary.xnm)
  set_tests_properties(cli.save_builtin PROPERTIES FIXTURES_SETUP googlenet_file)
  add_test(NAME cli.info_json COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/googlenet224-binary.xnm --json)
  set_tests_properties(cli.info_json PROPERTIES FIXTURES_REQUIRED googlenet_file
    PASS_REGULAR_EXPRESSION "\"file_bytes\": [0-9.e+]+, \"arena_bytes\": [0-9]+, \"macs\": 1582671872")
  add_test(NAME cli.info_table COMMAND xnor_cli info googlenet224:int8)
  set_tests_properties(cli.info_table PROPERTIES PASS_REGULAR_EXPRESSION "inception_5b/3x3 +conv +int8 +7x7x384")
  add_test(NAME cli.info_missing_file COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/no-such-model.xnm)
  set_tests_properties(cli.info_missing_file PROPERTIES PASS_REGULAR_EXPRESSION "no-such-model.xnm: cannot open")
  add_test(NAME cli.info_not_a_model COMMAND xnor_cli info ${CMAKE_CURRENT_SOURCE_DIR}/README.md)
  set_tests_properties(cli.info_not_a_model PROPERTIES PASS_REGULAR_EXPRESSION "README.md: model file: not an .xnm file")

  add_test(NAME cli.path_not_compiled COMMAND xnor_cli --version)
  set_tests_properties(cli.path_not_compiled PROPERTIES ENVIRONMENT XNOR_PATH=${xnor_foreign_path}
    PASS_REGULAR_EXPRESSION "XNOR_PATH=${xnor_foreign_path}: not compiled into this binary")

  # xnor run and xnor eval on a small random-weight Fashion-MNIST network (no trained model needed) that
  # tests/helpers/cli_fixture.cpp writes, with the images of Debian's dataset-fashion-mnist.
  add_executable(xnor-cli-fixture tests/helpers/cli_fixture.cpp)
  target_include_directories(xnor-cli-fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(xnor-cli-fixture PRIVATE xnor::tools)
  if(XNOR_STATIC_EXECUTABLES)
    target_link_options(xnor-cli-fixture PRIVATE -static)
  endif()
  set(xnor_random_model ${CMAKE_BINARY_DIR}/random-fashion.xnm)
  add_test(NAME cli.fixture_model COMMAND xnor-cli-fixture model ${xnor_random_model})
  set_tests_properties(cli.fixture_model PROPERTIES FIXTURES_SETUP random_model)
  add_test(NAME cli.fixture_input COMMAND xnor-cli-fixture input ${CMAKE_BINARY_DIR}/random-input.npy 1 28 28 1)
  set_tests_properties(cli.fixture_input PROPERTIES FIXTURES_SETUP random_input)
  add_test(NAME cli.fixture_wrong_input COMMAND xnor-cli-fixture input ${CMAKE_BINARY_DIR}/wrong-input.npy 28 28 3)
  set_tests_properties(cli.fixture_wrong_input PROPERTIES FIXTURES_SETUP wrong_input)
  add_test(NAME cli.fixture_folder COMMAND xnor-cli-fixture folder ${CMAKE_BINARY_DIR}/eval-folder)
  set_tests_properties(cli.fixture_folder PROPERTIES FIXTURES_SETUP eval_folder)

  # Phone photos (tests/helpers/photo_fixture.cpp): the trouser sample as a 12-megapixel portrait JPEG stored
  # sideways with EXIF orientation 6, as phones store it, classifies as its upright twin does. Under qemu (a
  # cross build) making the photos takes minutes: the decoder's unit tests cover orientation there.
  add_executable(xnor-photo-fixture tests/helpers/photo_fixture.cpp)
  target_include_directories(xnor-photo-fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  find_path(STB_INCLUDE_DIR stb/stb_image_write.h REQUIRED)
  target_include_directories(xnor-photo-fixture SYSTEM PRIVATE ${STB_INCLUDE_DIR})
  target_link_libraries(xnor-photo-fixture PRIVATE xnor::xnor)
  if(NOT CMAKE_CROSSCOMPILING)
    set(xnor_trouser ${CMAKE_CURRENT_SOURCE_DIR}/models/samples/1-trouser.png)
    add_test(NAME photo.fixture_sideways COMMAND xnor-photo-fixture photo ${xnor_trouser}
      ${CMAKE_BINARY_DIR}/trouser-12mp-exif6.jpg 3000 4000 6)
    add_test(NAME photo.fixture_upright COMMAND xnor-photo-fixture photo ${xnor_trouser}
      ${CMAKE_BINARY_DIR}/trouser-12mp.jpg 3000 4000 1)
    set_tests_properties(photo.fixture_sideways photo.fixture_upright PROPERTIES FIXTURES_SETUP phone_photos)
    add_test(NAME cli.classify_portrait_photo COMMAND xnor_cli classify --json
      ${CMAKE_BINARY_DIR}/trouser-12mp-exif6.jpg ${CMAKE_BINARY_DIR}/trouser-12mp.jpg)
    set_tests_properties(cli.classify_portrait_photo PROPERTIES FIXTURES_REQUIRED phone_photos PASS_REGULAR_EXPRESSION
      "exif6.jpg\", \"top\": \\[\\{\"label\": \"Trouser\".*12mp.jpg\", \"top\": \\[\\{\"label\": \"Trouser\"")
    # The photo is decoded at 1/8 of its size (500 x 375): the whole classification stays under 16 MB resident.
    # A sanitizer's shadow memory would count too: the limit is checked in plain builds.
    if(NOT CMAKE_CXX_FLAGS MATCHES "sanitize")
      add_test(NAME cli.classify_photo_memory COMMAND xnor-photo-fixture peak-rss 16 $<TARGET_FILE:xnor_cli> classify
        ${CMAKE_BINARY_DIR}/trouser-12mp-exif6.jpg)
      set_tests_properties(cli.classify_photo_memory PROPERTIES FIXTURES_REQUIRED phone_photos
        PASS_REGULAR_EXPRESSION "peak resident: [0-9.]+ MB \\(limit [0-9.]+ MB\\): within the limit")
      # xnor eval decodes a folder's JPEGs as classify does (the same pixels, the same scale): a folder of the
      # phone photo stays under the same 16 MB, and gets the photo right.
      add_test(NAME photo.fixture_folder COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/trouser-12mp-exif6.jpg
        ${CMAKE_BINARY_DIR}/phone-folder/Trouser/sideways.jpg)
      set_tests_properties(photo.fixture_folder PROPERTIES FIXTURES_REQUIRED phone_photos FIXTURES_SETUP phone_folder)
      add_test(NAME cli.eval_photo_folder_memory COMMAND xnor-photo-fixture peak-rss 16 $<TARGET_FILE:xnor_cli> eval
        --dataset ${CMAKE_BINARY_DIR}/phone-folder)
      set_tests_properties(cli.eval_photo_folder_memory PROPERTIES FIXTURES_REQUIRED phone_folder
        PASS_REGULAR_EXPRESSION "accuracy: 100.00% \\(1 of 1\\).*peak resident: [0-9.]+ MB \\(limit [0-9.]+ MB\\): within the limit")
    endif()
  endif()

  add_test(NAME cli.run_help COMMAND xnor_cli run --help)
  set_tests_properties(cli.run_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor run MODEL --input X.npy --output Y.npy")
  add_test(NAME cli.run COMMAND xnor_cli run ${xnor_random_model} --input ${CMAKE_BINARY_DIR}/random-input.npy
    --output ${CMAKE_BINARY_DIR}/random-output.npy)
  set_tests_properties(cli.run PROPERTIES FIXTURES_REQUIRED "random_model;random_input" FIXTURES_SETUP run_output)
  add_test(NAME cli.run_output COMMAND xnor-cli-fixture check ${xnor_random_model} ${CMAKE_BINARY_DIR}/random-input.npy
    ${CMAKE_BINARY_DIR}/random-output.npy)
  set_tests_properties(cli.run_output PROPERTIES FIXTURES_REQUIRED "random_model;random_input;run_output"
    PASS_REGULAR_EXPRESSION "output matches")
  add_test(NAME cli.run_shape_mismatch COMMAND xnor_cli run ${xnor_random_model} --input ${CMAKE_BINARY_DIR}/wrong-input.npy
    --output ${CMAKE_BINARY_DIR}/wrong-output.npy)
  set_tests_properties(cli.run_shape_mismatch PROPERTIES FIXTURES_REQUIRED "random_model;wrong_input"
    PASS_REGULAR_EXPRESSION "wrong-input.npy: shape \\(28, 28, 3\\), but [^ ]*random-fashion.xnm takes \\(28, 28, 1\\) or \\(1, 28, 28, 1\\)")
  add_test(NAME cli.run_unwritable_output COMMAND xnor_cli run ${xnor_random_model} --input ${CMAKE_BINARY_DIR}/random-input.npy
    --output ${CMAKE_BINARY_DIR}/no-such-dir/y.npy)
  set_tests_properties(cli.run_unwritable_output PROPERTIES FIXTURES_REQUIRED "random_model;random_input"
    PASS_REGULAR_EXPRESSION "cannot write [^ ]*no-such-dir/y.npy.partial")
  add_test(NAME cli.run_missing_input COMMAND xnor_cli run ${xnor_random_model} --input ${CMAKE_BINARY_DIR}/no-such-input.npy
    --output ${CMAKE_BINARY_DIR}/y.npy)
  set_tests_properties(cli.run_missing_input PROPERTIES FIXTURES_REQUIRED random_model
    PASS_REGULAR_EXPRESSION "no-such-input.npy: cannot open")
  add_test(NAME cli.run_unknown_option COMMAND xnor_cli run model.xnm --inptu x.npy)
  set_tests_properties(cli.run_unknown_option PROPERTIES PASS_REGULAR_EXPRESSION "run: unknown option --inptu")
  add_test(NAME cli.run_no_output COMMAND xnor_cli run model.xnm --input x.npy)
  set_tests_properties(cli.run_no_output PROPERTIES PASS_REGULAR_EXPRESSION "run: needs MODEL, --input and --output")

  add_test(NAME cli.eval_help COMMAND xnor_cli eval --help)
  set_tests_properties(cli.eval_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor eval \\[--model MODEL\\]")
  add_test(NAME cli.eval_json COMMAND xnor_cli eval --model ${xnor_random_model} --limit 200 --json)
  set_tests_properties(cli.eval_json PROPERTIES FIXTURES_REQUIRED random_model PASS_REGULAR_EXPRESSION
    "\"images\": 200, \"skipped\": 0, \"correct\": [0-9]+, \"accuracy\": [0-9.e-]+, \"classes\": \\[.*\"per_class\": \\[\\{\"class\": \"[^\"]+\", \"images\": [0-9]+, .*\"confusion\": \\[\\[[0-9]")
  add_test(NAME cli.eval_table COMMAND xnor_cli eval --model ${xnor_random_model} --limit 100 --threads 2)
  set_tests_properties(cli.eval_table PROPERTIES FIXTURES_REQUIRED random_model PASS_REGULAR_EXPRESSION
    "accuracy: [0-9.]+% \\([0-9]+ of 100\\).*2 threads.*confusion matrix \\(rows: true class, columns: predicted class\\)")
  # The results do not depend on the thread count: the JSON (which has no timings) is the same text.
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/eval_thread_counts.cmake CONTENT "
foreach(threads 1 3)
  execute_process(COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:xnor_cli> eval --model ${xnor_random_model}
                  --limit 300 --threads \${threads} --json OUTPUT_VARIABLE json_\${threads} COMMAND_ERROR_IS_FATAL ANY)
endforeach()
if(NOT json_1 STREQUAL json_3)
  message(FATAL_ERROR \"1 thread:\\n\${json_1}\\n3 threads:\\n\${json_3}\")
endif()
message(\"the same results on 1 and 3 threads\")
")
  add_test(NAME cli.eval_thread_counts COMMAND ${CMAKE_COMMAND} -P ${CMAKE_BINARY_DIR}/eval_thread_counts.cmake)
  set_tests_properties(cli.eval_thread_counts PROPERTIES FIXTURES_REQUIRED random_model
    PASS_REGULAR_EXPRESSION "the same results on 1 and 3 threads")
  add_test(NAME cli.eval_folder COMMAND xnor_cli eval --model ${xnor_random_model} --dataset ${CMAKE_BINARY_DIR}/eval-folder --json)
  set_tests_properties(cli.eval_folder PROPERTIES FIXTURES_REQUIRED "random_model;eval_folder"
    PASS_REGULAR_EXPRESSION "\"images\": 30, \"skipped\": 1, ")
  add_test(NAME cli.eval_missing_folder COMMAND xnor_cli eval --model ${xnor_random_model} --dataset ${CMAKE_BINARY_DIR}/no-such-folder)
  set_tests_properties(cli.eval_missing_folder PROPERTIES FIXTURES_REQUIRED random_model
    PASS_REGULAR_EXPRESSION "no-such-folder: No such file or directory")
  add_test(NAME cli.eval_default_model_missing COMMAND xnor_cli eval --limit 1)
  set_tests_properties(cli.eval_default_model_missing PROPERTIES ENVIRONMENT XNOR_MODELS_DIR=${CMAKE_BINARY_DIR}/no-models
    PASS_REGULAR_EXPRESSION "the default model [^ ]*no-models/fashion-inception-binary.xnm is not there")
  add_test(NAME cli.eval_bad_limit COMMAND xnor_cli eval --limit 0)
  set_tests_properties(cli.eval_bad_limit PROPERTIES PASS_REGULAR_EXPRESSION "eval: --limit needs a whole number from 1 to")
  add_test(NAME cli.eval_bad_threads COMMAND xnor_cli eval --threads two)
  set_tests_properties(cli.eval_bad_threads PROPERTIES PASS_REGULAR_EXPRESSION "eval: --threads needs a whole number from 1 to 256, not 'two'")
  add_test(NAME cli.eval_unknown_option COMMAND xnor_cli eval --modle x.xnm)
  set_tests_properties(cli.eval_unknown_option PROPERTIES PASS_REGULAR_EXPRESSION "eval: unknown option --modle")
  add_test(NAME cli.eval_missing_value COMMAND xnor_cli eval --dataset)
  set_tests_properties(cli.eval_missing_value PROPERTIES PASS_REGULAR_EXPRESSION "eval: --dataset needs a value")

  # xnor classify on the models and images tests/helpers/classify_fixture.cpp writes. Each test checks the
  # exit code, standard output and standard error apart (tests/helpers/expect_output.cmake).
  add_executable(xnor-classify-fixture tests/helpers/classify_fixture.cpp)
  target_include_directories(xnor-classify-fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_include_directories(xnor-classify-fixture SYSTEM PRIVATE ${STB_INCLUDE_DIR})
  target_link_libraries(xnor-classify-fixture PRIVATE xnor::tools)
  if(XNOR_STATIC_EXECUTABLES)
    target_link_options(xnor-classify-fixture PRIVATE -static)
  endif()
  set(xnor_classify_files ${CMAKE_BINARY_DIR}/classify)
  add_test(NAME cli.classify_fixture COMMAND xnor-classify-fixture ${xnor_classify_files})
  set_tests_properties(cli.classify_fixture PROPERTIES FIXTURES_SETUP classify_files)
  function(xnor_classify_test name exit_code stdout stderr)
    add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${CMAKE_CROSSCOMPILING_EMULATOR};$<TARGET_FILE:xnor_cli>;classify;${ARGN}"
      -DEXIT_CODE=${exit_code} "-DSTDOUT=${stdout}" "-DSTDERR=${stderr}" -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/expect_output.cmake)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED classify_files)
  endfunction()
  set(xnor_logits_model --model ${xnor_classify_files}/logits-28x28.xnm)
  set(xnor_classify_images ${xnor_classify_files}/images)
  set(xnor_json_label "\\{\"label\": \"[^\"]+\", \"probability\": [0-9.e-]+\\}")
  set(xnor_text_label "  [A-Za-z/ -]+ [01]\\.[0-9][0-9][0-9][0-9]\n")

  xnor_classify_test(cli.classify_help 0 "^usage: xnor classify \\[--model MODEL\\] \\[--top K\\] \\[--json\\] \\[--ignore-orientation\\] IMAGE\\|DIR" "^$" --help)
  xnor_classify_test(cli.classify_json 0 "^\\[\\{\"file\": \"[^\"]*/disc.png\", \"top\": \\[${xnor_json_label}, ${xnor_json_label}\\]\\}\\]\n$" "^$"
    ${xnor_logits_model} --top 2 --json ${xnor_classify_images}/disc.png)
  xnor_classify_test(cli.classify_text 0
    "^[^\n]*/disc.jpg\n${xnor_text_label}${xnor_text_label}${xnor_text_label}[^\n]*/disc.bmp\n${xnor_text_label}${xnor_text_label}${xnor_text_label}$" "^$"
    ${xnor_logits_model} ${xnor_classify_images}/disc.jpg ${xnor_classify_images}/disc.bmp)
  # A folder: its image files in order (not notes.txt); the broken one is reported and the others go on.
  xnor_classify_test(cli.classify_folder 1
    "^\\[\\{\"file\": \"[^\"]*/disc.bmp\"[^\n]*\\},\n \\{\"file\": \"[^\"]*/disc.jpg\"[^\n]*\\},\n \\{\"file\": \"[^\"]*/disc.png\"[^\n]*\\}\\]\n$"
    "^xnor: [^\n]*/broken.png: truncated PNG image\n$" ${xnor_logits_model} --top 1 --json ${xnor_classify_images})
  xnor_classify_test(cli.classify_missing_file 1 "^$" "^xnor: [^\n]*/no-such.png: cannot open \\(No such file or directory\\)\n$"
    ${xnor_logits_model} ${xnor_classify_images}/no-such.png)
  xnor_classify_test(cli.classify_corrupt_image 1 "^$" "^xnor: [^\n]*/broken.png: truncated PNG image\n$"
    ${xnor_logits_model} ${xnor_classify_images}/broken.png)
  xnor_classify_test(cli.classify_not_an_image 1 "^$" "^xnor: [^\n]*/notes.txt: not a PNG, JPEG, BMP or PGM/PPM image\n$"
    ${xnor_logits_model} ${xnor_classify_images}/notes.txt)
  xnor_classify_test(cli.classify_model_not_for_images 1 "^$"
    "^xnor: [^\n]*/two-channel-input.xnm: its input 4x4x2 is not an image \\(1 or 3 channels with a mean and std each\\)\n$"
    --model ${xnor_classify_files}/two-channel-input.xnm ${xnor_classify_images}/disc.png)
  xnor_classify_test(cli.classify_missing_model 1 "^$" "^xnor: [^\n]*/no-such.xnm: cannot open\n$"
    --model ${xnor_classify_files}/no-such.xnm ${xnor_classify_images}/disc.png)
  xnor_classify_test(cli.classify_default_model_missing 1 "^$"
    "^xnor: [^\n]*/no-models/fashion-inception-binary.xnm: the bundled model is not there \\(give --model, or set XNOR_MODELS_DIR[^\n]*\n$"
    ${xnor_classify_images}/disc.png)
  set_tests_properties(cli.classify_default_model_missing PROPERTIES ENVIRONMENT XNOR_MODELS_DIR=${CMAKE_BINARY_DIR}/no-models)
  xnor_classify_test(cli.classify_unknown_option 1 "^$" "^xnor: classify: unknown option --frob \\(xnor classify --help\\)\n$"
    --frob ${xnor_classify_images}/disc.png)
  xnor_classify_test(cli.classify_bad_top 1 "^$" "^xnor: classify: --top needs a whole number from 1 to 1000000, not 'x'\n$"
    --top x ${xnor_classify_images}/disc.png)
  xnor_classify_test(cli.classify_no_image 1 "^$" "^xnor: classify: no image given \\(xnor classify --help\\)\n$" ${xnor_logits_model})

  # xnor eval on a folder of a label with a '/': its class folder is T-shirt_top.
  add_test(NAME cli.fixture_slash_folder COMMAND xnor-cli-fixture slash-folder ${CMAKE_BINARY_DIR}/eval-slash-folder)
  set_tests_properties(cli.fixture_slash_folder PROPERTIES FIXTURES_SETUP eval_slash_folder)
  add_test(NAME cli.eval_slash_folder COMMAND xnor_cli eval --model ${xnor_random_model} --dataset ${CMAKE_BINARY_DIR}/eval-slash-folder --json)
  set_tests_properties(cli.eval_slash_folder PROPERTIES FIXTURES_REQUIRED "random_model;eval_slash_folder" PASS_REGULAR_EXPRESSION
    "\"images\": 10, \"skipped\": 0, .*\"per_class\": \\[\\{\"class\": \"T-shirt/top\", \"images\": 5, .*\\{\"class\": \"Trouser\", \"images\": 5, ")

  # xnor compare on three small random-weight models under the bundled models' names (tests/helpers/cli_fixture.cpp).
  set(xnor_compare_models ${CMAKE_BINARY_DIR}/compare-models)
  add_test(NAME cli.fixture_compare_models COMMAND xnor-cli-fixture models ${xnor_compare_models})
  set_tests_properties(cli.fixture_compare_models PROPERTIES FIXTURES_SETUP compare_models)
  set(xnor_compare_three --models ${xnor_compare_models}/fashion-inception-float.xnm ${xnor_compare_models}/fashion-inception-int8.xnm
    ${xnor_compare_models}/fashion-inception-binary.xnm)
  set(xnor_compare_number "[0-9.e+-]+")
  set(xnor_compare_row "\\{\"model\": \"[^\"]*/fashion-inception-PRECISION.xnm\", \"precision\": \"[^\"]+\", \"file_bytes\": [0-9]+, \"size_ratio\": RATIO, \"accuracy\": ${xnor_compare_number}, \"median_latency_ms\": ${xnor_compare_number}, \"images_per_second\": ${xnor_compare_number}, \"peak_rss_kb\": (null|[0-9]+)\\}")
  string(REPLACE PRECISION float xnor_compare_float "${xnor_compare_row}")
  string(REPLACE RATIO 1 xnor_compare_float "${xnor_compare_float}")
  string(REPLACE PRECISION int8 xnor_compare_int8 "${xnor_compare_row}")
  string(REPLACE RATIO "0\\.[0-9]+" xnor_compare_int8 "${xnor_compare_int8}")
  string(REPLACE PRECISION binary xnor_compare_binary "${xnor_compare_row}")
  string(REPLACE RATIO "0\\.[0-9]+" xnor_compare_binary "${xnor_compare_binary}")

  add_test(NAME cli.compare_help COMMAND xnor_cli compare --help)
  set_tests_properties(cli.compare_help PROPERTIES PASS_REGULAR_EXPRESSION
    "^usage: xnor compare \\[--models MODEL\\.\\.\\.\\] \\[--dataset fashion-mnist\\|DIR\\] \\[--limit N\\] \\[--json\\] \\[--plot FILE\\.png\\].*ms/image +the median time of Session::run on 1 thread")
  add_test(NAME cli.compare_json COMMAND xnor_cli compare ${xnor_compare_three} --limit 50 --json)
  set_tests_properties(cli.compare_json PROPERTIES FIXTURES_REQUIRED compare_models PASS_REGULAR_EXPRESSION
    "^\\{\"cpu_path\": \"[a-z0-9-]+\", \"threads\": [1-9][0-9]*, \"dataset\": \"Fashion-MNIST test\", \"images\": 50, [^[]*\"models\": \\[\n  ${xnor_compare_float},\n  ${xnor_compare_int8},\n  ${xnor_compare_binary}\\]\\}\n$")
  # Without --models: the bundled models' names in XNOR_MODELS_DIR, as a table.
  add_test(NAME cli.compare_default_models COMMAND xnor_cli compare --limit 20)
  set_tests_properties(cli.compare_default_models PROPERTIES FIXTURES_REQUIRED compare_models
    ENVIRONMENT XNOR_MODELS_DIR=${xnor_compare_models} PASS_REGULAR_EXPRESSION
    "cpu path: [a-z0-9-]+\ndataset: Fashion-MNIST test, 20 images\n.*\nmodel +precision +accuracy +file KB +vs float +ms/image +images/s +peak RSS MB\nfashion-inception-float.xnm +float +[0-9.]+% +[0-9.]+ +1\\.000x .*\nfashion-inception-int8.xnm +int8 .*\nfashion-inception-binary.xnm +binary [0-9]+, float [0-9]+ ")
  add_test(NAME cli.compare_folder COMMAND xnor_cli compare ${xnor_compare_three} --dataset ${CMAKE_BINARY_DIR}/eval-slash-folder --json)
  set_tests_properties(cli.compare_folder PROPERTIES FIXTURES_REQUIRED "compare_models;eval_slash_folder"
    PASS_REGULAR_EXPRESSION "\"dataset\": \"[^\"]*/eval-slash-folder\", \"images\": 10, \"skipped\": 0, ")
  # --plot draws a PNG (when gnuplot is installed: tools/setup.sh train).
  find_program(XNOR_GNUPLOT gnuplot)
  if(XNOR_GNUPLOT)
    file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/compare_plot.cmake CONTENT "
set(png ${CMAKE_BINARY_DIR}/compare.png)
file(REMOVE \${png})
execute_process(COMMAND ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:xnor_cli> compare ${xnor_compare_three} --limit 20 --plot \${png}
                COMMAND_ERROR_IS_FATAL ANY)
if(NOT EXISTS \${png})
  message(FATAL_ERROR \"xnor compare --plot wrote no \${png}\")
endif()
file(READ \${png} signature LIMIT 8 HEX)
if(NOT signature STREQUAL \"89504e470d0a1a0a\")
  message(FATAL_ERROR \"\${png} is not a PNG file\")
endif()
message(\"compare --plot wrote a PNG\")
")
    add_test(NAME cli.compare_plot COMMAND ${CMAKE_COMMAND} -P ${CMAKE_BINARY_DIR}/compare_plot.cmake)
    set_tests_properties(cli.compare_plot PROPERTIES FIXTURES_REQUIRED compare_models PASS_REGULAR_EXPRESSION "compare --plot wrote a PNG")
  endif()
  function(xnor_compare_error_test name stderr)
    add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${CMAKE_CROSSCOMPILING_EMULATOR};$<TARGET_FILE:xnor_cli>;compare;${ARGN}"
      -DEXIT_CODE=1 "-DSTDOUT=^$" "-DSTDERR=${stderr}" -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/expect_output.cmake)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED compare_models)
  endfunction()
  xnor_compare_error_test(cli.compare_missing_model "^xnor: compare: [^\n]*/no-such.xnm: no such model file\n$"
    --models ${xnor_compare_models}/fashion-inception-float.xnm ${xnor_compare_models}/no-such.xnm)
  xnor_compare_error_test(cli.compare_default_models_missing
    "^xnor: compare: the bundled model [^\n]*/no-models/fashion-inception-float.xnm is not there \\(give --models, or set XNOR_MODELS_DIR[^\n]*\n$")
  set_tests_properties(cli.compare_default_models_missing PROPERTIES ENVIRONMENT XNOR_MODELS_DIR=${CMAKE_BINARY_DIR}/no-models)
  xnor_compare_error_test(cli.compare_not_a_model "^xnor: (compare: )?[^\n]*/README.md: model file: not an .xnm file[^\n]*\n$"
    --models ${CMAKE_CURRENT_SOURCE_DIR}/README.md)
  xnor_compare_error_test(cli.compare_wrong_dataset "^xnor: [^\n]*/no-such-folder: No such file or directory\n$"
    ${xnor_compare_three} --dataset ${CMAKE_BINARY_DIR}/no-such-folder)
  xnor_compare_error_test(cli.compare_unknown_option "^xnor: compare: unknown option --model \\(xnor compare --help\\)\n$"
    --model ${xnor_compare_models}/fashion-inception-float.xnm)
  xnor_compare_error_test(cli.compare_bad_limit "^xnor: compare: --limit needs a whole number from 1 to [0-9]+, not '0'\n$"
    ${xnor_compare_three} --limit 0)
  # An empty PATH would hide the emulator (qemu) too: native builds only.
  if(NOT CMAKE_CROSSCOMPILING)
    xnor_compare_error_test(cli.compare_no_gnuplot
      "^xnor: compare: --plot needs gnuplot, which is not installed \\(Debian: apt-get install gnuplot-nox\\)\n$"
      ${xnor_compare_three} --plot ${CMAKE_BINARY_DIR}/no-gnuplot.png)
    set_tests_properties(cli.compare_no_gnuplot PROPERTIES ENVIRONMENT PATH=${CMAKE_BINARY_DIR}/no-such-bin)
  endif()
endif()

# The benchmark binary registers and runs (one small shape on every path); speed is not judged here.
if(XNOR_BUILD_BENCH)
  add_test(NAME bench.smoke COMMAND xnor-bench --benchmark_filter=M49x --benchmark_min_time=0.01)
  set_tests_properties(bench.smoke PROPERTIES PASS_REGULAR_EXPRESSION "bgemm/scalar/M49xN512xK4608")
endif()

# README.md's embedding examples are tests/consumer/classify.cpp and classify.c, which tools/consumer.sh builds and runs.
add_test(NAME readme.embedding_example COMMAND ${CMAKE_COMMAND} -DREADME=${CMAKE_CURRENT_SOURCE_DIR}/README.md
  -DEXAMPLE=${CMAKE_CURRENT_SOURCE_DIR}/tests/consumer/classify.cpp -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/readme_example.cmake)
add_test(NAME readme.c_example COMMAND ${CMAKE_COMMAND} -DREADME=${CMAKE_CURRENT_SOURCE_DIR}/README.md
  -DEXAMPLE=${CMAKE_CURRENT_SOURCE_DIR}/tests/consumer/classify.c -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/readme_example.cmake)
