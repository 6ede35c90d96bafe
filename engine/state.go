package engine

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Var is one matrix of an exercise that a reader may edit: an input, a
// parameter, a target or noise.
type Var struct {
	ID, Name  string
	Role      Role
	Hue       Hue
	Trainable bool // trained by "apply update": red frame
	Frozen    bool // a parameter this walkthrough does not train: blue frame
	// BiasColumn: the last column is a bias folded into the weights.
	BiasColumn           bool
	RowLabels, ColLabels []string
	Picture              *Picture
	Data                 *mat.Dense
}

// Matrix returns the variable as a matrix a step can show. It shares the
// variable's numbers.
func (v *Var) Matrix() *Matrix {
	return &Matrix{
		ID: v.ID, Name: v.Name, Role: v.Role, Hue: v.Hue,
		Trainable: v.Trainable, Frozen: v.Frozen, BiasColumn: v.BiasColumn,
		RowLabels: v.RowLabels, ColLabels: v.ColLabels, Picture: v.Picture,
		Data: v.Data,
	}
}

// State is an exercise: the variables a walkthrough starts from, in the
// order the walkthrough meets them, and the seed its noise was drawn with
// by Resample (0 when the noise was written by hand, as a default exercise
// may do, or drawn as whole numbers with the rest of a new exercise by
// Draw, which numbers the exercise by its own seed).
type State struct {
	Vars []*Var
	Seed uint64
}

// Var returns the variable with the given id, or nil.
func (s *State) Var(id string) *Var {
	for _, v := range s.Vars {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// Get returns the numbers of variable id; it panics if there is none, as a
// model asking for a variable it did not declare is a programming error.
func (s *State) Get(id string) *mat.Dense {
	v := s.Var(id)
	if v == nil {
		panic("engine: no variable " + id)
	}
	return v.Data
}

// M returns variable id as a matrix a step can show.
func (s *State) M(id string) *Matrix {
	v := s.Var(id)
	if v == nil {
		panic("engine: no variable " + id)
	}
	return v.Matrix()
}

// Set changes one cell. It refuses a cell that does not exist and a value
// that is not a finite number, and then changes nothing.
func (s *State) Set(id string, r, c int, x float64) error {
	v := s.Var(id)
	if v == nil {
		return ErrNoCell
	}
	rows, cols := v.Data.Dims()
	if r < 0 || c < 0 || r >= rows || c >= cols {
		return ErrNoCell
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ErrTooLarge
	}
	v.Data.Set(r, c, x)
	return nil
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	out := &State{Seed: s.Seed, Vars: make([]*Var, len(s.Vars))}
	for i, v := range s.Vars {
		cp := *v
		cp.Data = mat.DenseCopyOf(v.Data)
		out.Vars[i] = &cp
	}
	return out
}

// Equal reports whether two states hold the same numbers and seed.
func (s *State) Equal(o *State) bool {
	if s.Seed != o.Seed || len(s.Vars) != len(o.Vars) {
		return false
	}
	for i := range s.Vars {
		if s.Vars[i].ID != o.Vars[i].ID || !sameNumbers(s.Vars[i].Data, o.Vars[i].Data) {
			return false
		}
	}
	return true
}

// dense builds a matrix from rows of numbers.
func dense(rows ...[]float64) *mat.Dense {
	r, c := len(rows), len(rows[0])
	d := mat.NewDense(r, c, nil)
	for i, row := range rows {
		if len(row) != c {
			panic("engine: ragged matrix")
		}
		d.SetRow(i, row)
	}
	return d
}

// Gaussian fills a rows×cols matrix with standard normal draws from a
// generator seeded with seed, rounded to two decimals so that they can be
// read and typed back.
func Gaussian(seed uint64, rows, cols int) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	d := mat.NewDense(rows, cols, nil)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			d.Set(i, j, math.Round(rng.NormFloat64()*100)/100)
		}
	}
	return d
}
