package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

var (
	currencies = []string{"INR", "USD", "EUR", "GBP"}
	categories = []string{"Books", "Music", "Electronics", "Clothing", "Toys", "Garden", "Food", "Travel"}
	payments   = []string{"UPI", "Card", "Wallet", "NetBanking", "COD"}
	genres     = []string{"Rock", "Jazz", "Pop", "Indie", "Classical", "Metal", "Folk", "Blues", "Soul", "Rap",
		"Reggae", "Punk", "Disco", "House", "Techno", "Ambient"}
)

// genEvents writes the seed sample's 8 columns, ~100 bytes a row.
func genEvents(path string, rows, users int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	w.WriteString("identity,ts,evtName,Amount,Currency,Category,Quantity,PaymentMode\n")
	var b []byte
	for i := range rows {
		b = b[:0]
		b = fmt.Appendf(b, "customer-%010d", r.IntN(users))
		b = append(b, ',')
		b = strconv.AppendInt(b, 1700000000+int64(i), 10)
		b = append(b, ",Purchased,"...)
		b = strconv.AppendFloat(b, float64(r.IntN(100000))/100, 'f', 2, 64)
		b = append(b, ',')
		b = append(b, currencies[r.IntN(len(currencies))]...)
		b = append(b, ",ProductCategory-"...)
		b = append(b, categories[r.IntN(len(categories))]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(1+r.IntN(9)), 10)
		b = append(b, ",PaymentMethod-"...)
		b = append(b, payments[r.IntN(len(payments))]...)
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// genProfiles writes rows for shuffled users, each seen ~rows/users times,
// with $add on a Playlist and a handful of properties, ~100 bytes a row.
func genProfiles(path string, rows, users int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(3, 4))
	w.WriteString("identity,Name,Email,City,Age,Score,Playlist,Playlist.operation\n")
	for range rows {
		u := r.IntN(users)
		fmt.Fprintf(w, "customer-%010d,Customer Number %d,customer%d@example.com,City-%d,%d,%d.%02d,%s,$add\n",
			u, u, u, u%500, 18+u%60, r.IntN(1000), r.IntN(100), genres[r.IntN(len(genres))])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
