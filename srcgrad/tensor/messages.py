"""PyTorch's error and warning texts, word for word.

Users paste these messages into search engines; answers written for PyTorch only help them if srcgrad says
exactly the same thing. Collected in one place so that the wording is checked against PyTorch once (by the
oracle tests) and never drifts apart between modules. PyTorch appends "(Triggered internally at <C++
file>:<line>.)" to some warnings; that is a location inside PyTorch's own build, not part of the message, so
srcgrad leaves it out.
"""

PROD_DIM = ("prod() received an invalid combination of arguments - got ({}), but expected one of:\n"
            " * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n")
NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.")
NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
GRADIENT_TYPE = "gradients can be either Tensors or None, but got {}"
SHAPE_MISMATCH = ("Mismatch in shape: grad_output[{i}] has a shape of {got} and output[{i}] has a shape of "
                  "{want}.")

# Three places refuse requires_grad on integer tensors, each with its own wording.
INT_GRAD_FACTORY = "Only Tensors of floating point and complex dtype can require gradients"
INT_GRAD_METHOD = "only Tensors of floating point dtype can require gradients"
INT_GRAD_SETTER = "only Tensors of floating point and complex dtype can require gradients"
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a "
    "subgraph that doesn't require differentiation use var_no_grad = var.detach().")

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
MODIFIED_SAVED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation: "
    "[{type} {sizes}]{origin} is at version {now}; expected version {saved} instead. Hint: enable anomaly "
    "detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False).")
NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked).")
CANNOT_CAST = "result type {} can't be cast to the desired output type {}"
OUT_NEEDS_GRAD = ("{}(): functions with out=... arguments don't support automatic differentiation, but one of the "
                  "arguments requires grad.")
OUT_RESIZED = ("An output with one or more elements was resized since it had shape {}, which does not match the "
               "required output shape {}. This behavior is deprecated, and in a future PyTorch release outputs will "
               "not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing "
               "it, inplace, to zero elements with t.resize_(0).")

DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  "
    "If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, "
    "see https://github.com/pytorch/pytorch/pull/103001")
NUMPY_REQUIRES_GRAD = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't "
    "be populated during autograd.backward(). If you indeed want the .grad field to be populated for a "
    "non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
    "mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
    "more information.")
GRAD_WRONG_TYPE = "assigned grad expected to be a Tensor or None but got grad of type {}"
GRAD_WRONG_SIZE = ("attempting to assign a gradient of size '{}' to a tensor of size '{}'. Please ensure that "
                   "the gradient and the tensor are the same size")
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"

ITEM_NOT_ONE = "a Tensor with {} elements cannot be converted to Scalar"
SCALAR_NOT_ONE = "only one element tensors can be converted to Python scalars"
BOOL_AMBIGUOUS = "Boolean value of Tensor with more than one value is ambiguous"
LEN_0D = "len() of a 0-d tensor"
TO_SCALAR_REQUIRES_GRAD = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                           "behavior.\nConsider using tensor.detach() first.")
COPY_CONSTRUCT = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")
FORMAT_SPEC = "unsupported format string passed to Tensor.__format__"
T_NOT_2D = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
    "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
    "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.")
T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."

BROADCAST = ("The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}")
BAD_SHAPE = "shape '{}' is invalid for input of size {}"
VIEW_STRIDES = ("view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead.")
DIM_RANGE = "Dimension out of range (expected to be in range of [{}, {}], but got {})"
MM_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})"
MV_SHAPES = "size mismatch, got input ({}), mat ({}x{}), vec ({})"
DOT_SHAPES = ("inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of "
              "elements, but got {} and {} elements respectively")
MEAN_DTYPE = ("mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
              "dtype. Got: {}")
CLAMP_NONE = "torch.clamp: At least one of 'min' or 'max' must not be None"
INDEX_BOUNDS = "index {} is out of bounds for dimension {} with size {}"
TOO_MANY_INDICES = "too many indices for tensor of dimension {}"
NEGATIVE_STEP = "step must be greater than zero"
DEVICE_NO_ARGUMENTS = ("device() received an invalid combination of arguments - got (), but expected one of:\n"
                       " * (torch.device device)\n * (str type, int index = -1)\n")
DEVICE_ARGUMENT_TYPE = ("device() received an invalid combination of arguments - got ({0}), but expected one of:\n"
                        " * (torch.device device)\n"
                        "      didn't match because some of the arguments have invalid types: (!{0}!)\n"
                        " * (str type, int index = -1)\n")
DEVICE_INDEX_TYPE = "device(): argument 'index' (position 2) must be int, not {}"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."
DEVICE_TYPES = "Expected one of {} device type at start of device string: {}"
INVALID_DEVICE_STRING = "Invalid device string: '{}'"
NEGATIVE_DEVICE_INDEX = "Device index must not be negative"
NO_CUDA = "Torch not compiled with CUDA enabled"
# srcgrad's own words: PyTorch has a backend for these, the shim has none
CPU_ONLY = "srcgrad's Tensor shim computes on the CPU only; it has no '{}' device"
GRAD_OUTPUTS_LENGTH = "got {1} tensors and {0} gradients"
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
UNUSED_INPUT = ("The differentiated Tensor at index {} appears to not have been used in the graph. Set "
                "allow_unused=True if this is the desired behavior.")
MATERIALIZE_UNUSED = ("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                      "allow_unused=False.")
CREATE_GRAPH_CYCLE = ("Using backward() with create_graph=True will create a reference cycle between the parameter "
                      "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
                      "creating the graph to avoid this. If you have to use this function, make sure to reset the "
                      ".grad fields of your parameters to None after use to break the cycle and avoid the leak.")
MULTI_OUTPUT_INPLACE = ("Output {} of Unbind is a view and is being modified inplace. This view is the output of a "
                        "function that returns multiple views. Such functions do not allow the output views to be "
                        "modified inplace. You should replace the inplace operation by an out-of-place one.")
INFERENCE_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                   "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                   "normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                   "`torch.inference_mode()`.")
EMPTY_INPUTS = "`inputs` argument to `backward()` cannot be empty."
# srcgrad's own words: PyTorch records the backward sweep itself then; the shim does not
# srcgrad's own words: PyTorch supports this; the shim records one level of backward graph here
RETAIN_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
FUNCTION_GRAD_COUNT = "function {} returned an incorrect number of gradients (expected {}, got {})"
FUNCTION_INSTANTIATED = ("{} should not be instantiated. Methods on autograd functions are all static, so you should "
                         "invoke them on the class itself. Instantiating an autograd function will raise an error in "
                         "a future version of PyTorch.")
# srcgrad's own words: PyTorch supports this; the shim's engine passes one gradient per node
FUNCTION_OUTPUTS = ("{}.forward returned several differentiable tensors; srcgrad's Tensor shim supports one per "
                    "autograd.Function (mark the others with ctx.mark_non_differentiable, or split the Function)")
FUNCTIONAL_ARGUMENT = ("The {what} given to {function} must be either a Tensor or a tuple of Tensors but the given "
                       "{what} has type {type}.")
FUNCTIONAL_ITEM = ("The {what} given to {function} must be either a Tensor or a tuple of Tensors but the value at "
                   "index {index} has type {type}.")
VJP_NEEDS_V = ("The vector v can only be None if the user-provided function returns a single Tensor with a single "
               "element.")
STRICT_OUTPUT = ("Output {} of the user-provided function does not require gradients. The outputs must be computed "
                 "in a differentiable manner from the input when running in strict mode.")
JVP_NEEDS_V = ("The vector v can only be None if the input to the user-provided function is a single Tensor with a "
               "single element.")
STRICT_INDEPENDENT = ("Output {} of the user-provided function is independent of input {}. This is not allowed in "
                      "strict mode.")
IMPLICIT_DIM = ("Implicit dimension choice for {} has been deprecated. Change the call to include dim=X as an "
                "argument.")
GELU_APPROXIMATE = "approximate argument must be either none or tanh."
BAD_REDUCTION = "{} is not a valid value for reduction"
MSE_SIZES = ("Using a target size ({}) that is different to the input size ({}). This will likely lead to incorrect "
             "results due to broadcasting. Please ensure they have the same size.")
BCE_SIZES = ("Using a target size ({}) that is different to the input size ({}) is deprecated. Please ensure they "
             "have the same size.")
BCE_LOGITS_SIZES = "Target size ({}) must be the same as input size ({})"
BCE_RANGE = "all elements of input should be between 0 and 1"
NLL_TARGET = "expected target dtype to be Long or Byte, but got {}"
# srcgrad's own words: options of these losses the shim does not offer
LOSS_WEIGHTS = "srcgrad's Tensor shim does not support weights in {}"
LABEL_SMOOTHING = "srcgrad's Tensor shim does not support label_smoothing in cross_entropy"
MISSING_ARGUMENT = '{}() missing 1 required positional arguments: "{}"'
REPEATED_DIM = "dim {} appears multiple times in the list of dims"
SPREAD_DTYPE = "std and var only support floating point and complex dtypes"
TRIANGLE_DIMS = "{}: input tensor must have at least 2 dimensions"
MASK_DTYPE = "masked_fill_ only supports boolean masks, but got mask with dtype {}"
MASKED_FILL_VALUE = ("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} "
                     "dimension(s).")
MASK_SHAPE = "The size of the mask {} must match the size of the tensor {}"
GATHER_INDEX = "gather(): Expected dtype int32/int64 for index"
GATHER_DIMS = "Index tensor must have the same number of dimensions as input tensor"
GATHER_SHAPE = ("gather with an index smaller than the input along the other dims: srcgrad's Tensor shim "
                "takes an index of the input's shape there; slice the input first")
GATHER_RANGE = "index {} is out of bounds for dimension {} with size {}"
GATHER_LARGER = ("Size does not match at dimension {} expected index {} to be no larger than self {} apart from "
                 "dimension {}")
REPEAT_DIMS = ("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
               "tensor")
BMM_DIMS = "batch{} must be a 3D tensor"
BMM_SIZES = "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}]."
SCALAR_TYPE = "expected scalar type {} but found {}"
OUTER_DIMS = "outer: Expected 1-D argument {}, but got {}-D"
INDEX_SELECT_DTYPE = "index_select(): Expected dtype int32 or int64 for index"
INDEX_SELECT_VECTOR = "index_select(): Index is supposed to be a vector"
INDEX_SELECT_SCALAR = "index_select(): Index to scalar can have only 1 value, got {} value(s)"
INDEX_SELECT_RANGE = "INDICES element is out of DATA bounds, id={} axis_dim={}"
