#include "src/onnx/fold.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace xnor::onnx_import {
namespace {

std::vector<std::size_t> strides_of(const std::vector<std::int64_t>& dims) {
  std::vector<std::size_t> strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * static_cast<std::size_t>(dims[i]);
  return strides;
}

// An axis attribute in [-rank, rank) as an index.
std::size_t axis_index(std::int64_t axis, std::size_t rank, const onnx::NodeProto& node) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) throw ModelError(describe(node) + ": axis " + std::to_string(axis) + " out of range");
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

const Tensor& input(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs, std::size_t i) {
  if (i >= inputs.size() || !inputs[i]) throw ModelError(describe(node) + ": input " + std::to_string(i) + " is missing");
  return *inputs[i];
}


Tensor integers(std::vector<std::int64_t> dims, const std::vector<std::int64_t>& values) {
  return {std::move(dims), std::vector<double>(values.begin(), values.end()), true};
}

Tensor reshape(const onnx::NodeProto& node, const Tensor& data, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> dims;
  std::int64_t known = 1;
  std::size_t unknown = shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    std::int64_t d = shape[i];
    if (d == 0 && i < data.dims.size()) d = data.dims[i];
    if (d == -1) {
      if (unknown != shape.size()) throw ModelError(describe(node) + ": more than one -1 in the shape");
      unknown = i;
    } else if (d < 0) {
      throw ModelError(describe(node) + ": bad dimension " + std::to_string(d));
    } else {
      if (d > static_cast<std::int64_t>(max_constant_elements)) throw ModelError(describe(node) + ": shape too large");
      known *= d;
      if (known > static_cast<std::int64_t>(max_constant_elements)) throw ModelError(describe(node) + ": shape too large");
    }
    dims.push_back(d);
  }
  const auto count = static_cast<std::int64_t>(data.values.size());
  if (unknown != shape.size()) dims[unknown] = known ? count / known : 0;
  if (static_cast<std::int64_t>(element_count(dims, describe(node))) != count) {
    throw ModelError(describe(node) + ": cannot reshape " + std::to_string(count) + " elements");
  }
  return {dims, data.values, data.integer};
}

Tensor broadcast(const onnx::NodeProto& node, const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f) {
  const std::size_t rank = std::max(a.dims.size(), b.dims.size());
  const auto padded = [rank](const std::vector<std::int64_t>& dims) {
    std::vector<std::int64_t> p(rank - dims.size(), 1);
    p.insert(p.end(), dims.begin(), dims.end());
    return p;
  };
  const auto da = padded(a.dims), db = padded(b.dims);
  std::vector<std::int64_t> dims(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1) throw ModelError(describe(node) + ": shapes do not broadcast");
    dims[i] = da[i] == 1 ? db[i] : da[i];
  }
  const std::size_t count = element_count(dims, describe(node));
  const auto sa = strides_of(da), sb = strides_of(db), so = strides_of(dims);
  Tensor out{dims, std::vector<double>(count), a.integer && b.integer};
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t ia = 0, ib = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      const std::size_t coord = i / so[d] % static_cast<std::size_t>(dims[d]);
      if (da[d] != 1) ia += coord * sa[d];
      if (db[d] != 1) ib += coord * sb[d];
    }
    const double v = f(a.values[ia], b.values[ib]);
    out.values[i] = out.integer ? std::trunc(v) : v;
  }
  return out;
}

Tensor constant(const onnx::NodeProto& node) {
  if (const auto* a = find_attribute(node, "value")) return to_tensor(a->t(), describe(node));
  if (const auto* a = find_attribute(node, "value_float")) return {{}, {a->f()}, false};
  if (const auto* a = find_attribute(node, "value_floats")) {
    return {{a->floats_size()}, {a->floats().begin(), a->floats().end()}, false};
  }
  if (const auto* a = find_attribute(node, "value_int")) return integers({}, {a->i()});
  if (const auto* a = find_attribute(node, "value_ints")) return integers({a->ints_size()}, {a->ints().begin(), a->ints().end()});
  throw ModelError(describe(node) + ": no supported value attribute");
}

Tensor slice(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs) {
  const Tensor& data = input(node, inputs, 0);
  std::vector<std::int64_t> starts, ends, axes, steps;
  if (inputs.size() >= 3) {
    starts = to_ints(input(node, inputs, 1));
    ends = to_ints(input(node, inputs, 2));
    if (inputs.size() > 3 && inputs[3]) axes = to_ints(*inputs[3]);
    if (inputs.size() > 4 && inputs[4]) steps = to_ints(*inputs[4]);
  } else {
    starts = ints_attribute(node, "starts", {});
    ends = ints_attribute(node, "ends", {});
    axes = ints_attribute(node, "axes", {});
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    throw ModelError(describe(node) + ": starts, ends, axes and steps differ in length");
  }
  const std::size_t rank = data.dims.size();
  std::vector<std::int64_t> first(rank, 0), step(rank, 1), dims = data.dims;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::size_t axis = axis_index(axes[i], rank, node);
    const std::int64_t n = data.dims[axis];
    if (steps[i] == 0) throw ModelError(describe(node) + ": step 0");
    const auto clampi = [](std::int64_t v, std::int64_t lo, std::int64_t hi) { return std::min(std::max(v, lo), hi); };
    // Bounds and steps beyond the axis act as the axis' own (and keep the arithmetic from overflowing).
    const std::int64_t stride = clampi(steps[i], -n - 1, n + 1);
    std::int64_t s = clampi(starts[i], -n - 1, n + 1), e = clampi(ends[i], -n - 1, n + 1);
    s = s < 0 ? s + n : s;
    e = e < 0 ? e + n : e;
    if (stride > 0) {
      s = clampi(s, 0, n);
      e = clampi(e, 0, n);
      dims[axis] = e > s ? (e - s + stride - 1) / stride : 0;
    } else {
      s = clampi(s, 0, n - 1);
      e = clampi(e, -1, n - 1);
      dims[axis] = s > e ? (s - e - stride - 1) / -stride : 0;
    }
    first[axis] = s;
    step[axis] = stride;
  }
  const std::size_t count = element_count(dims, describe(node));
  const auto so = strides_of(dims), si = strides_of(data.dims);
  Tensor out{dims, std::vector<double>(count), data.integer};
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t source = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      const auto coord = static_cast<std::int64_t>(i / so[d] % static_cast<std::size_t>(dims[d]));
      source += static_cast<std::size_t>(first[d] + coord * step[d]) * si[d];
    }
    out.values[i] = data.values[source];
  }
  return out;
}

Tensor transpose(const onnx::NodeProto& node, const Tensor& data) {
  const std::size_t rank = data.dims.size();
  std::vector<std::int64_t> perm(rank);
  for (std::size_t i = 0; i < rank; ++i) perm[i] = static_cast<std::int64_t>(rank - 1 - i);
  perm = ints_attribute(node, "perm", perm);
  std::vector<bool> used(rank);
  if (perm.size() != rank) throw ModelError(describe(node) + ": perm does not match the rank");
  std::vector<std::int64_t> dims(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t p = axis_index(perm[i], rank, node);
    if (used[p]) throw ModelError(describe(node) + ": perm repeats an axis");
    used[p] = true;
    dims[i] = data.dims[p];
  }
  const auto so = strides_of(dims), si = strides_of(data.dims);
  Tensor out{dims, std::vector<double>(data.values.size()), data.integer};
  for (std::size_t i = 0; i < out.values.size(); ++i) {
    std::size_t source = 0;
    for (std::size_t d = 0; d < rank; ++d) source += i / so[d] % static_cast<std::size_t>(dims[d]) * si[static_cast<std::size_t>(perm[d])];
    out.values[i] = data.values[source];
  }
  return out;
}

Tensor concat(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs) {
  const Tensor& first = input(node, inputs, 0);
  const std::size_t axis = axis_index(int_attribute(node, "axis", 0), first.dims.size(), node);
  std::vector<std::int64_t> dims = first.dims;
  dims[axis] = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = input(node, inputs, i);
    if (t.dims.size() != dims.size()) throw ModelError(describe(node) + ": inputs differ in rank");
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (d != axis && t.dims[d] != first.dims[d]) throw ModelError(describe(node) + ": inputs differ in shape");
    }
    dims[axis] += t.dims[axis];
  }
  element_count(dims, describe(node));
  std::size_t outer = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(dims[d]);
  Tensor out{dims, {}, first.integer};
  for (std::size_t o = 0; o < outer; ++o) {
    for (const Tensor* t : inputs) {
      const std::size_t block = t->values.size() / std::max<std::size_t>(outer, 1);
      out.values.insert(out.values.end(), t->values.begin() + static_cast<std::ptrdiff_t>(o * block),
                        t->values.begin() + static_cast<std::ptrdiff_t>((o + 1) * block));
    }
  }
  return out;
}

Tensor gather(const onnx::NodeProto& node, const Tensor& data, const Tensor& indices) {
  const std::size_t axis = axis_index(int_attribute(node, "axis", 0), data.dims.size(), node);
  std::vector<std::int64_t> dims(data.dims.begin(), data.dims.begin() + static_cast<std::ptrdiff_t>(axis));
  dims.insert(dims.end(), indices.dims.begin(), indices.dims.end());
  dims.insert(dims.end(), data.dims.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.dims.end());
  element_count(dims, describe(node));
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(data.dims[d]);
  for (std::size_t d = axis + 1; d < data.dims.size(); ++d) inner *= static_cast<std::size_t>(data.dims[d]);
  const std::int64_t n = data.dims[axis];
  Tensor out{dims, {}, data.integer};
  for (std::size_t o = 0; o < outer; ++o) {
    for (double v : indices.values) {
      auto index = static_cast<std::int64_t>(std::clamp(v == v ? v : 0.0, -1e15, 1e15));
      if (index < 0) index += n;
      if (index < 0 || index >= n) throw ModelError(describe(node) + ": index out of range");
      const std::size_t begin = (o * static_cast<std::size_t>(n) + static_cast<std::size_t>(index)) * inner;
      out.values.insert(out.values.end(), data.values.begin() + static_cast<std::ptrdiff_t>(begin),
                        data.values.begin() + static_cast<std::ptrdiff_t>(begin + inner));
    }
  }
  return out;
}

// Unsqueeze / Squeeze: axes from the second input (opset 13) or the attribute.
std::vector<std::int64_t> axes_of(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs) {
  if (inputs.size() > 1 && inputs[1]) return to_ints(*inputs[1]);
  return ints_attribute(node, "axes", {});
}

}  // namespace

std::optional<Tensor> fold_constant(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs) {
  const std::string& op = node.op_type();
  if (op == "Constant") return constant(node);
  if (op == "Identity") return input(node, inputs, 0);
  if (op == "Shape") return integers({static_cast<std::int64_t>(input(node, inputs, 0).dims.size())}, input(node, inputs, 0).dims);
  if (op == "ConstantOfShape") {
    const auto dims = to_ints(input(node, inputs, 0));
    Tensor value{{}, {0.0}, false};
    if (const auto* a = find_attribute(node, "value")) value = to_tensor(a->t(), describe(node));
    if (value.values.size() != 1) throw ModelError(describe(node) + ": value must hold one element");
    return Tensor{dims, std::vector<double>(element_count(dims, describe(node)), value.values[0]), value.integer};
  }
  if (op == "Cast") {
    Tensor t = input(node, inputs, 0);
    const auto to = int_attribute(node, "to", onnx::TensorProto::FLOAT);
    t.integer = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE && to != onnx::TensorProto::FLOAT16;
    for (double& v : t.values) v = t.integer ? (to == onnx::TensorProto::BOOL ? v != 0 : std::trunc(v))
                                             : (to == onnx::TensorProto::FLOAT ? static_cast<float>(v) : v);
    return t;
  }
  if (op == "Reshape") {
    const Tensor& data = input(node, inputs, 0);
    return reshape(node, data, inputs.size() > 1 ? to_ints(input(node, inputs, 1)) : ints_attribute(node, "shape", {}));
  }
  if (op == "Flatten") {
    const Tensor& data = input(node, inputs, 0);
    const std::size_t axis = axis_index(int_attribute(node, "axis", 1), data.dims.size() + 1, node);
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= data.dims[d];
    return reshape(node, data, {outer, -1});
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    const Tensor& data = input(node, inputs, 0);
    const auto axes = axes_of(node, inputs);
    std::vector<std::int64_t> dims = data.dims;
    if (op == "Unsqueeze") {
      const std::size_t rank = dims.size() + axes.size();
      std::vector<std::size_t> sorted;
      for (std::int64_t a : axes) sorted.push_back(axis_index(a, rank, node));
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t a : sorted) dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(std::min(a, dims.size())), 1);
    } else {
      std::vector<bool> drop(dims.size(), axes.empty());
      for (std::int64_t a : axes) drop[axis_index(a, dims.size(), node)] = true;
      std::vector<std::int64_t> kept;
      for (std::size_t d = 0; d < dims.size(); ++d) {
        if (!drop[d] || dims[d] != 1) kept.push_back(dims[d]);
      }
      dims = kept;
    }
    return Tensor{dims, data.values, data.integer};
  }
  if (op == "Concat") return concat(node, inputs);
  if (op == "Slice") return slice(node, inputs);
  if (op == "Transpose") return transpose(node, input(node, inputs, 0));
  if (op == "Gather") return gather(node, input(node, inputs, 0), input(node, inputs, 1));
  if (op == "Add") return broadcast(node, input(node, inputs, 0), input(node, inputs, 1), std::plus<>());
  if (op == "Sub") return broadcast(node, input(node, inputs, 0), input(node, inputs, 1), std::minus<>());
  if (op == "Mul") return broadcast(node, input(node, inputs, 0), input(node, inputs, 1), std::multiplies<>());
  if (op == "Div") {
    return broadcast(node, input(node, inputs, 0), input(node, inputs, 1), [&](double a, double b) {
      if (b == 0 && input(node, inputs, 0).integer) throw ModelError(describe(node) + ": integer division by zero");
      return a / b;
    });
  }
  return std::nullopt;
}

}  // namespace xnor::onnx_import
