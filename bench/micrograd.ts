import { Op, type Dag } from './dag.ts';

// The naive design, after micrograd's engine: one object per scalar holding its value, its
// gradient, its parents and a closure that pushes its gradient to them. The graph is rebuilt on
// every call (define-by-run); backward sorts it topologically (iteratively here, so a deep graph
// cannot overflow the stack) and runs the closures in reverse.

const noop = () => {};

export class Value {
  grad = 0;
  backwardStep: () => void = noop;
  constructor(
    public data: number,
    readonly parents: readonly Value[] = [],
  ) {}

  add(other: Value): Value {
    const out = new Value(this.data + other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad += out.grad;
    };
    return out;
  }

  sub(other: Value): Value {
    const out = new Value(this.data - other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad -= out.grad;
    };
    return out;
  }

  mul(other: Value): Value {
    const out = new Value(this.data * other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += other.data * out.grad;
      other.grad += this.data * out.grad;
    };
    return out;
  }

  scale(c: number): Value {
    const out = new Value(c * this.data, [this]);
    out.backwardStep = () => {
      this.grad += c * out.grad;
    };
    return out;
  }

  sin(): Value {
    const out = new Value(Math.sin(this.data), [this]);
    out.backwardStep = () => {
      this.grad += Math.cos(this.data) * out.grad;
    };
    return out;
  }

  cos(): Value {
    const out = new Value(Math.cos(this.data), [this]);
    out.backwardStep = () => {
      this.grad -= Math.sin(this.data) * out.grad;
    };
    return out;
  }

  tanh(): Value {
    const out = new Value(Math.tanh(this.data), [this]);
    out.backwardStep = () => {
      this.grad += (1 - out.data * out.data) * out.grad;
    };
    return out;
  }

  sigmoid(): Value {
    const out = new Value(1 / (1 + Math.exp(-this.data)), [this]);
    out.backwardStep = () => {
      this.grad += out.data * (1 - out.data) * out.grad;
    };
    return out;
  }

  exp(): Value {
    const out = new Value(Math.exp(this.data), [this]);
    out.backwardStep = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  square(): Value {
    const out = new Value(this.data * this.data, [this]);
    out.backwardStep = () => {
      this.grad += 2 * this.data * out.grad;
    };
    return out;
  }

  /** Gradients of this value with respect to every node it depends on. */
  backward(): void {
    const order = topologicalOrder(this);
    this.grad = 1;
    for (let k = order.length - 1; k >= 0; k--) order[k].backwardStep();
  }
}

/** Every node this one depends on, parents before children: depth-first with an explicit stack. */
function topologicalOrder(root: Value): Value[] {
  const order: Value[] = [];
  const visited = new Set<Value>([root]);
  const stack: [Value, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (next < node.parents.length) {
      top[1] = next + 1;
      const parent = node.parents[next];
      if (!visited.has(parent)) {
        visited.add(parent);
        stack.push([parent, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/** Builds the object graph of a DAG at the point x (the forward pass); returns the inputs and the output. */
export function trace(dag: Dag, x: Float64Array): { inputs: Value[]; output: Value } {
  const nodes: Value[] = new Array(dag.size);
  for (let k = 0; k < dag.inputs; k++) nodes[k] = new Value(x[k]);
  const { op, a, b, c } = dag;
  for (let i = dag.inputs; i < dag.size; i++) {
    const p = nodes[a[i]];
    switch (op[i]) {
      case Op.add:
        nodes[i] = p.add(nodes[b[i]]);
        break;
      case Op.sub:
        nodes[i] = p.sub(nodes[b[i]]);
        break;
      case Op.mul:
        nodes[i] = p.mul(nodes[b[i]]);
        break;
      case Op.sin:
        nodes[i] = p.sin();
        break;
      case Op.cos:
        nodes[i] = p.cos();
        break;
      case Op.tanh:
        nodes[i] = p.tanh();
        break;
      case Op.sigmoid:
        nodes[i] = p.sigmoid();
        break;
      case Op.scale:
        nodes[i] = p.scale(c[i]);
        break;
      case Op.exp:
        nodes[i] = p.exp();
        break;
      case Op.square:
        nodes[i] = p.square();
        break;
    }
  }
  return { inputs: nodes.slice(0, dag.inputs), output: nodes[dag.size - 1] };
}

/** The forward pass only: the output's value. */
export function microValue(dag: Dag, x: Float64Array): number {
  return trace(dag, x).output.data;
}

/** Forward and backward; the gradient with respect to the inputs. */
export function microGradient(dag: Dag, x: Float64Array): Float64Array {
  const { inputs, output } = trace(dag, x);
  output.backward();
  return Float64Array.from(inputs, (v) => v.grad);
}
