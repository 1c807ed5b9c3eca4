#pragma once
// xnor's errors: every failure that a caller can cause (a bad file, image or argument) is thrown as an Error
// whose message names the input and the problem, so an application catches one type.
#include <stdexcept>

namespace xnor {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A model that cannot be loaded or built: the message names the node or field and the problem.
class ModelError : public Error {
 public:
  using Error::Error;
};

// An image that cannot be read or decoded: the message names the file and the problem.
class ImageError : public Error {
 public:
  using Error::Error;
};

}  // namespace xnor
