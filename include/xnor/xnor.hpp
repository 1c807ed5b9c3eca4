#pragma once
// xnor's embedding API, in one header: load a model (a .xnm file or its bytes), run it in a Session on a
// preprocessed float tensor or on an image, and get the top-k labels as `xnor classify` prints them. Every
// failure a caller can cause is an xnor::Error. For example:
//
//   auto model = xnor::load_model("fashion-inception-binary.xnm");
//   xnor::Session session(model);
//   for (const xnor::Prediction& p : session.classify(xnor::load_image("shirt.png"), 3))
//     std::printf("%s %.4f\n", p.label.c_str(), p.probability);
//
// A Model is immutable: share it between threads; give each thread its own Session.
#include "xnor/cpu_path.hpp"  // Path, active_path(), describe_paths(): which CPU kernels run
#include "xnor/error.hpp"     // Error, ModelError, ImageError
#include "xnor/image.hpp"     // Image, load_image, decode_image, preprocess
#include "xnor/model.hpp"     // Model, Session, Prediction, load_model
#include "xnor/version.hpp"
