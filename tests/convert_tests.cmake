# End-to-end tests of `xnor convert` (ONNX import, int8 calibration) and `xnor bench`.
if(TARGET xnor_cli)
  if(TARGET xnor_onnx)
    add_test(NAME cli.convert_onnx COMMAND xnor_cli convert ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/tiny_binary.onnx
      ${CMAKE_BINARY_DIR}/tiny_binary.xnm)
    set_tests_properties(cli.convert_onnx PROPERTIES FIXTURES_SETUP tiny_binary_file
      PASS_REGULAR_EXPRESSION "tiny_binary.xnm: 11 layers, 0.007052 MMACs")
    add_test(NAME cli.convert_onnx_layers COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/tiny_binary.xnm)
    set_tests_properties(cli.convert_onnx_layers PROPERTIES FIXTURES_REQUIRED tiny_binary_file
      PASS_REGULAR_EXPRESSION "/a/Conv +conv +binary +4x4x3.*/Concat +concat +bits +4x4x5")
    add_test(NAME cli.convert_opset9 COMMAND xnor_cli convert
      ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/corpus/onnx/tiny_binary_opset9.onnx ${CMAKE_BINARY_DIR}/tiny_binary9.xnm)
    set_tests_properties(cli.convert_opset9 PROPERTIES PASS_REGULAR_EXPRESSION "11 layers")
    add_test(NAME cli.convert_refuses COMMAND xnor_cli convert
      /usr/share/libonnx-testdata/data/node/test_erf/model.onnx ${CMAKE_BINARY_DIR}/erf.xnm)
    set_tests_properties(cli.convert_refuses PROPERTIES WILL_FAIL TRUE)
    add_test(NAME cli.convert_refuses_message COMMAND xnor_cli convert
      ${CMAKE_CURRENT_SOURCE_DIR}/README.md.onnx ${CMAKE_BINARY_DIR}/none.xnm)
    set_tests_properties(cli.convert_refuses_message PROPERTIES PASS_REGULAR_EXPRESSION "README.md.onnx: cannot open")

    # torchvision's networks and tools/train's Bi-Real-style binary ResNet with random weights, exported by
    # PyTorch at opsets 11 and 13, converted (float, and int8 at opset 13) and compared with PyTorch's logits
    # (tools/real-networks.py). The ONNX files are made in the build folder, not kept in git.
    if(NOT CMAKE_CROSSCOMPILING)
      set(xnor_real_networks ${CMAKE_BINARY_DIR}/real-networks)
      add_test(NAME real_networks.export COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tools/real-networks.py
        make ${xnor_real_networks})
      set_tests_properties(real_networks.export PROPERTIES FIXTURES_SETUP real_networks)
      # The photo recipe end to end: synthetic colour JPEGs, binary training at 64x64 RGB, convert, and
      # `xnor classify` / `xnor eval` against PyTorch on the test photos (tools/test-photo-recipe.py).
      add_test(NAME photo_recipe COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tools/test-photo-recipe.py
        --xnor $<TARGET_FILE:xnor_cli> --work ${CMAKE_BINARY_DIR}/photo-recipe)
      set_tests_properties(photo_recipe PROPERTIES PASS_REGULAR_EXPRESSION "PASS photo-recipe" TIMEOUT 1500)
      foreach(network IN ITEMS googlenet resnet18 mobilenet_v2 mobilenet_v3_small bireal residual_inception photo_inception)
        foreach(opset IN ITEMS 11 13)
          add_test(NAME real_networks.${network}_opset${opset} COMMAND /usr/bin/python3
            ${CMAKE_CURRENT_SOURCE_DIR}/tools/real-networks.py check ${xnor_real_networks} ${network}-opset${opset}
            --xnor $<TARGET_FILE:xnor_cli>)
          set_tests_properties(real_networks.${network}_opset${opset} PROPERTIES FIXTURES_REQUIRED real_networks
            PASS_REGULAR_EXPRESSION "PASS ${network}-opset${opset}")
        endforeach()
      endforeach()
    endif()
  endif()
  add_test(NAME cli.convert_help COMMAND xnor_cli convert --help)
  set_tests_properties(cli.convert_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor convert INPUT OUT.xnm")
  add_test(NAME cli.convert_bad_method COMMAND xnor_cli convert googlenet224:float ${CMAKE_BINARY_DIR}/x.xnm --int8
    --calibration-method median)
  set_tests_properties(cli.convert_bad_method PROPERTIES PASS_REGULAR_EXPRESSION "--calibration-method is minmax or percentile")
  # Post-training int8 quantization of the built-in float GoogLeNet on two calibration images.
  add_test(NAME cli.convert_int8 COMMAND xnor_cli convert googlenet224:float ${CMAKE_BINARY_DIR}/googlenet-int8.xnm
    --int8 --calibration-count 2)
  set_tests_properties(cli.convert_int8 PROPERTIES FIXTURES_SETUP googlenet_int8_file PASS_REGULAR_EXPRESSION "googlenet-int8.xnm: ")
  add_test(NAME cli.convert_int8_layers COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/googlenet-int8.xnm)
  set_tests_properties(cli.convert_int8_layers PROPERTIES FIXTURES_REQUIRED googlenet_int8_file
    PASS_REGULAR_EXPRESSION "inception_5b/concat +concat +int8")

  add_test(NAME cli.bench_help COMMAND xnor_cli bench --help)
  set_tests_properties(cli.bench_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor bench")
  add_test(NAME cli.bench_json COMMAND xnor_cli bench --model googlenet224:binary --runs 2 --json)
  set_tests_properties(cli.bench_json PROPERTIES
    PASS_REGULAR_EXPRESSION "\"median_ms\": [0-9.e+-]+, \"layers\": \\[\\{\"name\": \"to_int8_0\", \"kind\": \"quantize\"")
  add_test(NAME cli.bench_bad_runs COMMAND xnor_cli bench --runs 0)
  set_tests_properties(cli.bench_bad_runs PROPERTIES PASS_REGULAR_EXPRESSION "--runs needs a whole number from 1 to 100000")
endif()

# The bundled models on the sample images (one Fashion-MNIST test image per class), and JSON that parses.
if(TARGET xnor_cli)
  set(xnor_sample_labels "T-shirt/top" Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag "Ankle boot")
  file(GLOB xnor_samples ${CMAKE_CURRENT_SOURCE_DIR}/models/samples/*.png)
  foreach(sample IN LISTS xnor_samples)
    get_filename_component(name ${sample} NAME_WE)
    string(REGEX MATCH "^[0-9]" class ${name})
    list(GET xnor_sample_labels ${class} label)
    add_test(NAME cli.sample_${name} COMMAND xnor_cli classify --top 1 ${sample})
    set_tests_properties(cli.sample_${name} PROPERTIES PASS_REGULAR_EXPRESSION "${name}.png\n  ${label} +[0-9.]+\n$")
  endforeach()
  # name|arguments|members, with commas inside the arguments and the members
  foreach(check IN ITEMS
      "classify_json_parses|classify,--json,${CMAKE_CURRENT_SOURCE_DIR}/models/samples/1-trouser.png|file,top"
      "eval_json_parses|eval,--limit,300,--json|accuracy,images,per_class,confusion"
      "info_json_parses|info,${CMAKE_CURRENT_SOURCE_DIR}/models/fashion-inception-int8.xnm,--json|file_bytes,arena_bytes,macs,layers"
      "bench_json_parses|bench,--runs,3,--json|cpu_path,median_ms,layers"
      "compare_json_parses|compare,--limit,200,--json|cpu_path,threads,dataset,images,models")
    string(REPLACE "|" ";" parts "${check}")
    list(GET parts 0 name)
    list(GET parts 1 arguments)
    list(GET parts 2 keys)
    string(REPLACE "," ";" arguments "${arguments}")
    string(REPLACE "," ";" keys "${keys}")
    add_test(NAME cli.${name} COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${CMAKE_CROSSCOMPILING_EMULATOR};$<TARGET_FILE:xnor_cli>;${arguments}" "-DKEYS=${keys}"
      -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/check_json.cmake)
  endforeach()
endif()
